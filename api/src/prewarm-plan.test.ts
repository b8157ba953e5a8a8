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
  it('plans 100,000 fans arriving over one minute: 20 shards to deliver the chat, and a spare', () => {
    const plan = planPrewarm(
      { expectedPeakFans: 100_000, expectedJoinsPerSec: 1_700, tiers: { webrtc: 50 } },
      DEFAULT_SHARD_FIGURES,
      many(21),
    );
    // 95 % of 19,000 = 18,050 fans per shard (ASSIGNMENT_HEADROOM): 100,000 / 18,050 = 5.5;
    // 1,700 joins/s / 3,300 = 0.5; 200 msg/s to 100,000 fans at 1 µs each = 20 cores.
    expect(plan.shardsFor).toEqual({ fans: 6, joins: 1, delivery: 20, spare: 1 });
    expect(plan.shards).toBe(21);
    // Chat in once and out to 21 shards; 6 signals/s from each of 21 shards, out to all 21.
    expect(plan.natsMsgsPerSec).toBe(200 * 22 + 6 * 21 * 22);
    expect(plan.redisOpsPerSec).toBe(21 * 5 + 1_700 + 5_000);
    expect(plan.llHls).toEqual({
      viewers: 100_000,
      renditions: 2,
      peakEgressBps: 80_000_000_000,
      originBpsPerEdge: 1_050_000,
    });
    expect(plan.webrtcSeats).toBe(50);
    expect(plan.cluster.missing).toEqual([]);
  });

  it('plans 1,000,000 fans: 250 shards and a spare, and says what a 40-shard cluster lacks', () => {
    const startsAt = Date.parse('2026-12-24T20:00:00Z');
    const plan = planPrewarm(
      { expectedPeakFans: 1_000_000, expectedJoinsPerSec: 16_700, startsAt },
      DEFAULT_SHARD_FIGURES,
      many(40),
    );
    // 500 msg/s (the chat budget) to 1,000,000 fans at 0.5 µs each = 250 cores.
    expect(plan.shardsFor).toEqual({ fans: 56, joins: 6, delivery: 250, spare: 1 });
    expect(plan.shards).toBe(251);
    expect(plan.natsMsgsPerSec).toBe(500 * 252 + 6 * 251 * 252);
    expect(plan.redisOpsPerSec).toBe(251 * 5 + 16_700 + 50_000);
    expect(plan.llHls.peakEgressBps).toBe(800_000_000_000);
    expect(plan.warmBy).toBe(startsAt - 60 * 60_000);
    expect(plan.cluster).toEqual({
      liveShards: 40,
      freeFans: 40 * 18_050,
      reservedFans: 0,
      missing: [
        '211 more shard(s): 40 live, 251 needed',
        `room for ${1_000_000 - 39 * 18_050} more fans with one shard lost`,
      ],
    });
  });

  it('sizes for the join rate when it needs more shards than the audience and the chat', () => {
    const plan = planPrewarm(
      { expectedPeakFans: 20_000, expectedJoinsPerSec: 40_000 },
      DEFAULT_SHARD_FIGURES,
      [],
    );
    expect(plan.shardsFor).toEqual({ fans: 2, joins: 13, delivery: 1, spare: 1 });
    expect(plan.shards).toBe(14);
  });

  it("sizes delivery by a profile's measured deliveries per second when it has them", () => {
    const figures = { ...DEFAULT_SHARD_FIGURES, deliveriesPerSec: 4_000_000 };
    const plan = planPrewarm(
      { expectedPeakFans: 100_000, expectedJoinsPerSec: 1_700 },
      figures,
      [],
    );
    expect(plan.shardsFor.delivery).toBe(5); // 20M deliveries/s / 4M
    expect(plan.shards).toBe(7); // the audience binds now: 6 + 1
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
  it('takes the largest fan count that held, the join storm’s rate and the deliveries held', () => {
    const profile = {
      shards: [
        { fans: 1_000, held: true, connectsPerSec: null, deliveriesPerSec: 900_000 },
        { fans: 5_000, held: true, connectsPerSec: 4_200, deliveriesPerSec: 1_400_000 },
        { fans: 10_000, held: false, connectsPerSec: null, deliveriesPerSec: 2_000_000 },
      ],
    };
    expect(figuresFromProfile(profile)).toEqual({
      fansPerShard: 5_000,
      connectsPerSec: 4_200,
      deliveriesPerSec: 1_400_000,
      source: 'measured',
    });
    const old = { shards: [{ fans: 5_000, held: true, connectsPerSec: 4_200 }] };
    expect(figuresFromProfile(old).deliveriesPerSec).toBeNull();
  });

  it('falls back to the documented defaults for a profile with nothing held', () => {
    expect(figuresFromProfile({ shards: [{ fans: 1_000, held: false }] })).toBe(
      DEFAULT_SHARD_FIGURES,
    );
    expect(figuresFromProfile(null)).toBe(DEFAULT_SHARD_FIGURES);
  });
});
