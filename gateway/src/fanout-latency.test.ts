import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FANOUT_WINDOW_SAMPLES, FanoutLatency, p99Of } from './fanout-latency.js';

const W = 2_000;
const T0 = 1_700_000_000_000; // a window edge (T0 / W is whole)

describe('p99Of', () => {
  it('is the nearest-rank 99th percentile, null for none', () => {
    expect(p99Of(new Float64Array())).toBeNull();
    expect(p99Of(Float64Array.of(7))).toBe(7);
    // 1..200: rank ceil(0.99 * 200) = 198.
    const xs = Float64Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(p99Of(xs)).toBe(198);
  });
});

describe('FanoutLatency', () => {
  it('observes each record once in the histogram, in seconds, skew below zero counted as 0', async () => {
    const registry = new Registry();
    const f = new FanoutLatency(registry, W);
    f.observe(T0, T0 + 3); // 3 ms
    f.observe(T0, T0 + 300); // 300 ms
    f.observe(T0 + 50, T0 + 20); // the log's clock ahead of the shard's: 0
    const [metric] = (await registry.getMetricsAsJSON()).filter(
      (m) => m.name === 'fanfare_fanout_delivery_seconds',
    );
    const values = metric!.values as {
      metricName?: string;
      labels: { le?: number };
      value: number;
    }[];
    const bucket = (le: number) =>
      values.find((v) => v.metricName?.endsWith('_bucket') && v.labels.le === le)!.value;
    expect(bucket(0.005)).toBe(2);
    expect(bucket(0.25)).toBe(2);
    expect(bucket(0.5)).toBe(3);
    expect(values.find((v) => v.metricName?.endsWith('_sum'))!.value).toBeCloseTo(0.303, 6);
  });

  it('reports the last complete window: what went out in it and its p99', () => {
    const f = new FanoutLatency(new Registry(), W);
    expect(f.recent(T0)).toEqual({ windowMs: W, delivered: 0, p99Ms: null });
    for (let i = 1; i <= 100; i++) f.observe(T0 + 10, T0 + 10 + i); // 1..100 ms
    // Still the window in progress: nothing complete yet.
    expect(f.recent(T0 + W - 1)).toEqual({ windowMs: W, delivered: 0, p99Ms: null });
    expect(f.recent(T0 + W)).toEqual({ windowMs: W, delivered: 100, p99Ms: 99 });
    f.observe(T0 + W, T0 + W + 40);
    // The report holds until the next window completes, then shows that one.
    expect(f.recent(T0 + 2 * W - 1).p99Ms).toBe(99);
    expect(f.recent(T0 + 2 * W)).toEqual({ windowMs: W, delivered: 1, p99Ms: 40 });
    // A quiet window after: nothing went out in the last one.
    expect(f.recent(T0 + 3 * W)).toEqual({ windowMs: W, delivered: 0, p99Ms: null });
    // A record after a long gap, then its window completes.
    f.observe(T0 + 10 * W, T0 + 10 * W + 7);
    expect(f.recent(T0 + 11 * W)).toEqual({ windowMs: W, delivered: 1, p99Ms: 7 });
    expect(f.recent(T0 + 13 * W).delivered).toBe(0);
  });

  it('keeps a bounded sample past FANOUT_WINDOW_SAMPLES, still near the true p99', () => {
    const f = new FanoutLatency(new Registry(), W);
    const n = FANOUT_WINDOW_SAMPLES * 4;
    // 1 % of the records take 500 ms, the rest 5 ms: the p99 sits at the edge between them.
    for (let i = 0; i < n; i++) f.observe(T0, T0 + (i % 100 === 0 ? 500 : i % 100 === 1 ? 400 : 5));
    const recent = f.recent(T0 + W);
    expect(recent.delivered).toBe(n);
    expect([400, 500]).toContain(recent.p99Ms);
  });
});
