// The behaviour QoeRepo must show on every driver.

import type { QoeCounts } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import type { DbFixture } from './contract-fixture.js';
import type { QoeWindowRecord } from './qoe-repo.js';

function counts(partial: Partial<QoeCounts>): QoeCounts {
  return {
    starts: 0,
    vstBuckets: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    vstSumMs: 0,
    watchMs: 0,
    rebuffers: 0,
    rebufferMs: 0,
    exitsBeforeStart: 0,
    failures: 0,
    fallbacks: 0,
    ...partial,
  };
}

const T0 = Date.UTC(2026, 5, 1, 20, 0, 0);

function win(over: Partial<QoeWindowRecord>): QoeWindowRecord {
  return {
    eventId: 'final',
    windowStart: T0,
    windowMs: 5_000,
    shardId: 's1',
    tier: 'll-hls',
    country: 'FR',
    counts: counts({}),
    ...over,
  };
}

export function qoeRepoContract(name: string, fixture: () => DbFixture): void {
  describe(`QoeRepo contract: ${name}`, () => {
    const repo = () => fixture().database.qoe;

    it('sums windows across shards by tier and country, and per window across everything', async () => {
      await fixture().database.events.create({ id: 'final', title: 'Final' });
      const vst = [0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 1];
      const stored = await repo().record([
        win({ counts: counts({ starts: 4, vstBuckets: vst, vstSumMs: 40_000, watchMs: 9_000 }) }),
        win({ shardId: 's2', counts: counts({ watchMs: 1_000, rebuffers: 2, rebufferMs: 500 }) }),
        win({ tier: 'webrtc', country: 'unknown', counts: counts({ failures: 1 }) }),
        win({ windowStart: T0 + 5_000, counts: counts({ exitsBeforeStart: 3, fallbacks: 1 }) }),
      ]);
      expect(stored).toBe(4);
      expect(await repo().totals('final', T0)).toEqual([
        {
          tier: 'll-hls',
          country: 'FR',
          counts: counts({
            starts: 4,
            vstBuckets: vst,
            vstSumMs: 40_000,
            watchMs: 10_000,
            rebuffers: 2,
            rebufferMs: 500,
            exitsBeforeStart: 3,
            fallbacks: 1,
          }),
        },
        { tier: 'webrtc', country: 'unknown', counts: counts({ failures: 1 }) },
      ]);
      const series = await repo().series('final', T0);
      expect(series.map((s) => s.windowStart)).toEqual([T0, T0 + 5_000]);
      expect(series[0]!.counts).toMatchObject({ watchMs: 10_000, failures: 1, starts: 4 });
      expect(series[1]!.counts).toMatchObject({ exitsBeforeStart: 3, watchMs: 0 });
      expect(await repo().series('final', T0 + 1)).toHaveLength(1);
      expect(await repo().totals('other', T0)).toEqual([]);
    });

    it('keeps the first copy of a window delivered twice and drops windows of unknown events', async () => {
      await fixture().database.events.create({ id: 'final', title: 'Final' });
      expect(await repo().record([win({ counts: counts({ watchMs: 1_000 }) })])).toBe(1);
      expect(
        await repo().record([
          win({ counts: counts({ watchMs: 7_000 }) }),
          win({ eventId: 'nope', counts: counts({ watchMs: 5 }) }),
        ]),
      ).toBe(0);
      expect(await repo().record([])).toBe(0);
      const [only] = await repo().totals('final', 0);
      expect(only!.counts.watchMs).toBe(1_000);
      expect(await repo().totals('nope', 0)).toEqual([]);
    });
  });
}
