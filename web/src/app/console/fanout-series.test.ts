import { describe, expect, it } from 'vitest';
import { FANOUT_GOAL_MS, FanoutSeries, fanoutText } from './fanout-series.js';

const T0 = 1_700_000_000_000;

describe('the fan-out chart series', () => {
  it('keeps one point per read with the goal beside it, dropping what is older than its window', () => {
    const s = new FanoutSeries(10);
    s.add(12, T0);
    s.add(null, T0 + 5_000);
    s.add(300, T0 + 4_000); // read out of order: ignored
    s.add(40, T0 + 10_000);
    expect(s.data()).toEqual([
      [T0 / 1000, T0 / 1000 + 5, T0 / 1000 + 10],
      [12, null, 40],
      [FANOUT_GOAL_MS, FANOUT_GOAL_MS, FANOUT_GOAL_MS],
    ]);
    s.add(7, T0 + 16_000);
    expect(s.data()[1]).toEqual([40, 7]);
  });

  it('reads a shard without the field as –, one that sent nothing as idle', () => {
    expect(fanoutText(undefined)).toBe('–');
    expect(fanoutText({ delivered: 0, p99Ms: null })).toBe('idle');
    expect(fanoutText({ delivered: 3, p99Ms: 18 })).toBe('18 ms');
  });
});
