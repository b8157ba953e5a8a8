import { emptyCounts } from '@fanfare/fanout';
import { describe, expect, it } from 'vitest';
import { summarizeQoe, vstQuantileMs } from './qoe-summary.js';

//            bounds, s: 0.25 0.5 1  1.5 2  3  5  8  13 30 +Inf
const buckets = (...n: number[]) => [...n, ...new Array<number>(11 - n.length).fill(0)];

describe('vstQuantileMs', () => {
  it('interpolates within the bucket the rank falls in, as histogram_quantile does', () => {
    // 10 starts in (1, 1.5]: the median is halfway through it.
    expect(vstQuantileMs(buckets(0, 0, 0, 10), 0.5)).toBe(1250);
    // 5 in (0, 0.25], 5 in (1.5, 2]: p50 is the top of the first, p95 near the top of the other.
    expect(vstQuantileMs(buckets(5, 0, 0, 0, 5), 0.5)).toBe(250);
    expect(vstQuantileMs(buckets(5, 0, 0, 0, 5), 0.95)).toBe(1950);
  });

  it('answers the last bound above it, and nothing without starts', () => {
    expect(vstQuantileMs(buckets(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3), 0.5)).toBe(30_000);
    expect(vstQuantileMs(buckets(), 0.5)).toBeNull();
  });
});

describe('summarizeQoe', () => {
  it('puts stalls against watch time and exits and failures against attempts', () => {
    const c = emptyCounts();
    c.starts = 95;
    c.exitsBeforeStart = 5;
    c.failures = 2;
    c.watchMs = 990_000;
    c.rebufferMs = 10_000;
    c.vstBuckets = buckets(0, 0, 95);
    const s = summarizeQoe(c);
    expect(s.attempts).toBe(100);
    expect(s.rebufferingRatio).toBeCloseTo(0.01, 10);
    expect(s.ebvsRate).toBeCloseTo(0.05, 10);
    expect(s.failureRate).toBeCloseTo(0.02, 10);
    expect(s.vstP50Ms).toBe(750);
    expect(s.watchSeconds).toBe(990);
  });

  it('leaves ratios null when there is nothing to divide by', () => {
    const s = summarizeQoe(emptyCounts());
    expect([s.rebufferingRatio, s.ebvsRate, s.failureRate, s.vstP50Ms]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});
