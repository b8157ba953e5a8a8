import { describe, expect, it } from 'vitest';
import { HISTOGRAM_CAP_MS, Histogram } from './histogram.js';

/** The exact percentile by the same rule (smallest value with at least p % at or below it). */
function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

describe('Histogram', () => {
  it('reports zeros when empty', () => {
    const h = new Histogram();
    expect(h.count).toBe(0);
    expect(h.percentile(50)).toBe(0);
    expect(h.max).toBe(0);
    expect(h.min).toBe(0);
  });

  it('resolves small latencies to the next 0.1 ms', () => {
    const h = new Histogram();
    for (const ms of [0.31, 0.42, 0.55, 1.23, 2.0]) h.record(ms);
    expect(h.percentile(50)).toBeCloseTo(0.6, 10);
    expect(h.percentile(100)).toBeCloseTo(2.0, 10);
    expect(h.percentile(0)).toBeCloseTo(0.4, 10);
  });

  it('never understates and stays within 1 % of the exact percentile on a wide spread', () => {
    const h = new Histogram();
    const values: number[] = [];
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      // Deterministic log-uniform values from 0.05 ms to about 5 s.
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = 0.05 * Math.exp((seed / 2_147_483_648) * Math.log(100_000));
      values.push(ms);
      h.record(ms);
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(Math.max(exact * 1.01, exact + 0.1 + 1e-9));
    }
    expect(h.max).toBe(values[values.length - 1]);
    expect(h.min).toBe(values[0]);
  });

  it('clamps a percentile to the true maximum', () => {
    const h = new Histogram();
    h.record(300.001);
    expect(h.percentile(99)).toBe(300.001);
  });

  it('counts negative values as zero and huge values in the last bucket', () => {
    const h = new Histogram();
    h.record(-3);
    h.record(HISTOGRAM_CAP_MS * 10);
    expect(h.percentile(50)).toBeCloseTo(0.1, 10);
    expect(h.percentile(100)).toBe(HISTOGRAM_CAP_MS * 10);
    expect(h.min).toBe(0);
  });

  it('merges snapshots into the same distribution as recording everything in one place', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 0; i < 1000; i++) {
      const ms = (i % 97) * 0.7 + i / 50;
      (i % 2 === 0 ? a : b).record(ms);
      all.record(ms);
    }
    const merged = Histogram.from(JSON.parse(JSON.stringify(a.snapshot())));
    merged.merge(b.snapshot());
    expect(merged.count).toBe(all.count);
    expect(merged.mean).toBeCloseTo(all.mean, 9);
    for (const p of [50, 90, 99, 100]) expect(merged.percentile(p)).toBe(all.percentile(p));
  });
});
