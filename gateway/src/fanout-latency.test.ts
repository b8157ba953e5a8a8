import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FANOUT_STEP_SAMPLES, FanoutLatency, p99Of } from './fanout-latency.js';

const STEP = 2_000;
const WINDOW = 5 * STEP;
const T0 = 1_700_000_000_000; // a step edge (T0 / STEP is whole)

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
    const f = new FanoutLatency(registry, STEP);
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

  it('reports the complete steps of the last 10 s: what went out in them and their p99', () => {
    const f = new FanoutLatency(new Registry(), STEP, 5);
    const none = { windowMs: WINDOW, delivered: 0, p99Ms: null };
    expect(f.recent(T0)).toEqual(none);
    for (let i = 1; i <= 100; i++) f.observe(T0 + 10, T0 + 10 + i); // 1..100 ms in step 0
    // Still the step in progress: nothing complete yet.
    expect(f.recent(T0 + STEP - 1)).toEqual(none);
    expect(f.recent(T0 + STEP)).toEqual({ windowMs: WINDOW, delivered: 100, p99Ms: 99 });
    // Step 1: one slow record. Both steps count once step 1 is complete.
    f.observe(T0 + STEP, T0 + STEP + 900);
    expect(f.recent(T0 + 2 * STEP - 1).delivered).toBe(100);
    expect(f.recent(T0 + 2 * STEP)).toEqual({ windowMs: WINDOW, delivered: 101, p99Ms: 100 });
    // Step 0 leaves the window at step 6; step 1 at step 7.
    expect(f.recent(T0 + 5 * STEP).delivered).toBe(101);
    expect(f.recent(T0 + 6 * STEP)).toEqual({ windowMs: WINDOW, delivered: 1, p99Ms: 900 });
    expect(f.recent(T0 + 7 * STEP)).toEqual(none);
    // After a long gap, the ring's old steps never come back.
    f.observe(T0 + 20 * STEP, T0 + 20 * STEP + 7);
    expect(f.recent(T0 + 21 * STEP)).toEqual({ windowMs: WINDOW, delivered: 1, p99Ms: 7 });
  });

  it('keeps a bounded sample past FANOUT_STEP_SAMPLES a step, still near the true p99', () => {
    const f = new FanoutLatency(new Registry(), STEP, 5);
    const n = FANOUT_STEP_SAMPLES * 8;
    // 2 % of the records take 400 or 500 ms, the rest 5 ms: the p99 is among the slow ones.
    for (let i = 0; i < n; i++) {
      f.observe(T0, T0 + (i % 100 === 0 ? 500 : i % 100 === 1 ? 400 : 5));
    }
    const recent = f.recent(T0 + STEP);
    expect(recent.delivered).toBe(n);
    expect([400, 500]).toContain(recent.p99Ms);
  });
});
