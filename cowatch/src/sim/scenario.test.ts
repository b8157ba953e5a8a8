// The simulation harness as a behaviour test of the whole client: real ClockSync, driver and
// controller against simulated clocks, links and media. Time is virtual, so asserting the goal
// thresholds is deterministic, not a timing measurement.

import { describe, expect, it } from 'vitest';
import { GOAL_CONVERGE_MS, GOAL_MAX_BEYOND_MS, GOAL_P95_BEYOND_MS, analyze } from './measure.js';
import { benchScenarios, runScenario } from './scenario.js';

const SEED = 7;
const specs = benchScenarios(10, 45_000, SEED);

describe('co-watch simulation', () => {
  it.each(specs.map((spec, i) => [spec.name, i] as const))('%s meets the goals', (_name, i) => {
    const r = analyze(runScenario(specs[i]!, SEED * 1000 + i));
    expect(r.beyond.p95).toBeLessThanOrEqual(GOAL_P95_BEYOND_MS);
    expect(r.beyond.max).toBeLessThanOrEqual(GOAL_MAX_BEYOND_MS);
    // Drifting clocks: synced within the bounds above; the 1 s convergence and the gap are
    // reported by `pnpm bench:cowatch`, not held yet at 1,000-5,000 ppm (docs/cowatch.md).
    if (specs[i]!.name.startsWith('drift-')) return;
    expect(r.seekConvergenceMs ?? 0).toBeLessThanOrEqual(GOAL_CONVERGE_MS);
    expect(r.rateFlips).toBe(0);
    // Starts hold on their frame and begin at `at`: no member seeks on a clean start (one
    // without a stall in it; a stalled member catches up by seeking, by design).
    if (!Number.isFinite(specs[i]!.population.stallMeanIntervalMs)) expect(r.startSeeks).toBe(0);
    expect(r.goals).toEqual({ p95: true, max: true, converge: true, gap: true });
  });

  it('measures real asymmetry: the worst case sits at its bound, not at zero', () => {
    const i = specs.findIndex((s) => s.name === 'worst-case');
    const r = analyze(runScenario(specs[i]!, SEED * 1000 + i));
    expect(r.maxAsymmetryMs).toBeGreaterThan(140);
    // Every member is ~145 ms off in absolute terms, all of it the invisible asymmetry.
    expect(r.error.p50).toBeGreaterThan(100);
    expect(r.beyond.p50).toBeLessThan(10);
  });

  it('is deterministic for a seed', () => {
    const spec = specs[1]!;
    expect(analyze(runScenario(spec, 99))).toEqual(analyze(runScenario(spec, 99)));
    expect(analyze(runScenario(spec, 99))).not.toEqual(analyze(runScenario(spec, 98)));
  });
});
