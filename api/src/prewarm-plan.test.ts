import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHARD_FIGURES,
  figuresFromProfile,
  planPrewarm,
  type LiveShard,
} from './prewarm-plan.js';

const shard = (id: string, fans = 0, capacity = 19_000): LiveShard => ({
  id,
  capacity,
  fans,
  draining: false,
});
const many = (n: number) => Array.from({ length: n }, (_, i) => shard(`gateway-${i}`));

describe('planPrewarm', () => {
  it('plans 100,000 fans arriving over one minute: 6 shards and a spare', () => {
    const plan = planPrewarm(
      { expectedPeakFans: 100_000, expectedJoinsPerSec: 1_700, tiers: { webrtc: 50 } },
      DEFAULT_SHARD_FIGURES,
      many(7),
    );
    expect(plan.shards).toBe(7);
    // 95 % of 19,000 = 18,050 fans per shard (ASSIGNMENT_HEADROOM): 100,000 / 18,050 = 5.5.
    expect(plan.shardsFor).toEqual({ fans: 6, joins: 1, spare: 1 });
    expect(plan.natsMsgsPerSec).toBe(200 * 8);
    expect(plan.redisOpsPerSec).toBe(7 * 5 + 1_700 + 5_000);
    expect(plan.llHls).toEqual({
      viewers: 100_000,
      renditions: 2,
      peakEgressBps: 80_000_000_000,
      originBpsPerEdge: 1_050_000,
    });
    expect(plan.webrtcSeats).toBe(50);
    expect(plan.cluster.missing).toEqual([]);
  });

  it('plans 1,000,000 fans: 56 shards and a spare, and says what a 40-shard cluster lacks', () => {
    const startsAt = Date.parse('2026-12-24T20:00:00Z');
    const plan = planPrewarm(
      { expectedPeakFans: 1_000_000, expectedJoinsPerSec: 16_700, startsAt },
      DEFAULT_SHARD_FIGURES,
      many(40),
    );
    expect(plan.shards).toBe(57);
    expect(plan.shardsFor).toEqual({ fans: 56, joins: 2, spare: 1 });
    expect(plan.natsMsgsPerSec).toBe(500 * 58);
    expect(plan.redisOpsPerSec).toBe(57 * 5 + 16_700 + 50_000);
    expect(plan.llHls.peakEgressBps).toBe(800_000_000_000);
    expect(plan.warmBy).toBe(startsAt - 60 * 60_000);
    expect(plan.cluster).toEqual({
      liveShards: 40,
      freeFans: 40 * 18_050,
      missing: [
        '17 more shard(s): 40 live, 57 needed',
        `room for ${1_000_000 - 39 * 18_050} more fans with one shard lost`,
      ],
    });
  });

  it('sizes for the join rate when it needs more shards than the audience', () => {
    const plan = planPrewarm(
      { expectedPeakFans: 20_000, expectedJoinsPerSec: 40_000 },
      DEFAULT_SHARD_FIGURES,
      [],
    );
    expect(plan.shardsFor).toEqual({ fans: 2, joins: 5, spare: 1 });
    expect(plan.shards).toBe(6);
  });

  it('leaves draining shards and full ones out of what the cluster has', () => {
    const live = [shard('a', 18_050), { ...shard('b'), draining: true }, shard('c'), shard('d')];
    const plan = planPrewarm(
      { expectedPeakFans: 10_000, expectedJoinsPerSec: 100 },
      DEFAULT_SHARD_FIGURES,
      live,
    );
    expect(plan.cluster.liveShards).toBe(3);
    expect(plan.cluster.freeFans).toBe(2 * 18_050);
    expect(plan.cluster.missing).toEqual([]);
  });
});

describe('figuresFromProfile', () => {
  it('takes the largest fan count that held and the join storm’s rate', () => {
    const profile = {
      shards: [
        { fans: 1_000, held: true, connectsPerSec: null },
        { fans: 5_000, held: true, connectsPerSec: 4_200 },
        { fans: 10_000, held: false, connectsPerSec: null },
      ],
    };
    expect(figuresFromProfile(profile)).toEqual({
      fansPerShard: 5_000,
      connectsPerSec: 4_200,
      source: 'measured',
    });
  });

  it('falls back to the documented defaults for a profile with nothing held', () => {
    expect(figuresFromProfile({ shards: [{ fans: 1_000, held: false }] })).toBe(
      DEFAULT_SHARD_FIGURES,
    );
    expect(figuresFromProfile(null)).toBe(DEFAULT_SHARD_FIGURES);
  });
});
