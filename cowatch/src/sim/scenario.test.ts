// The simulation harness as a behaviour test of the whole client: real ClockSync, driver and
// controller against simulated clocks, links and media. Time is virtual, so asserting the goal
// thresholds is deterministic, not a timing measurement. Several seeds over two minutes each:
// one seed over 45 s once hid a member whose start arrived after its `at` on every command, and
// a rate fit that believed 2,600 ppm of a quartz clock for ten seconds.

import { describe, expect, it } from 'vitest';
import {
  GOAL_GAP_MAX_MS,
  GOAL_GAP_P95_MS,
  GOAL_MAX_BEYOND_MS,
  GOAL_P95_BEYOND_MS,
  analyze,
} from './measure.js';
import { benchScenarios, runScenario } from './scenario.js';

const SEEDS = [2, 3, 5];
const DURATION_MS = 120_000;
const cases = SEEDS.flatMap((seed) =>
  benchScenarios(10, DURATION_MS, seed).map((spec, i) => ({ seed, spec, i })),
);

describe('co-watch simulation', () => {
  it.each(cases.filter((c) => !c.spec.stress).map((c) => [c.spec.name, c.seed, c] as const))(
    '%s (seed %i) meets the goals',
    (_name, _seed, { seed, spec, i }) => {
      const r = analyze(runScenario(spec, seed * 1000 + i));
      expect(r.beyond.p95).toBeLessThanOrEqual(GOAL_P95_BEYOND_MS);
      expect(r.beyond.max).toBeLessThanOrEqual(GOAL_MAX_BEYOND_MS);
      // No oscillation: at most one nudge in a run reverses its predecessor (an overshoot once,
      // never a back-and-forth).
      expect(r.rateFlips).toBeLessThanOrEqual(1);
      // Starts hold on their frame and begin at `at`, which the party sets far enough ahead for
      // its slowest member: no member seeks on a clean start (one without a stall in it; a
      // stalled member catches up by seeking, by design).
      if (!Number.isFinite(spec.population.stallMeanIntervalMs)) expect(r.startSeeks).toBe(0);
      expect(r.goals).toEqual({ p95: true, max: true, converge: true, gap: true });
    },
  );

  it('keeps the gap goal where a rate change once left a member in the dead band (seed 2, 180 s)', () => {
    // The element applies a new rate tens of ms late; on a 0.25 step that left one member 13 ms
    // behind on top of its clock error, uncorrected for the rate's 10 s: gap max 30.3 ms.
    const specs = benchScenarios(10, 180_000, 2);
    const i = specs.findIndex((s) => s.name === 'path-80±40');
    const r = analyze(runScenario(specs[i]!, 2 * 1000 + i));
    expect(r.gap.p95).toBeLessThanOrEqual(GOAL_GAP_P95_MS);
    expect(r.gap.max).toBeLessThanOrEqual(GOAL_GAP_MAX_MS);
    expect(r.rateFlips).toBeLessThanOrEqual(1);
  });

  it('follows even 5,000 ppm clocks within the error goals (convergence reported, not held)', () => {
    const { seed, spec, i } = cases.find((c) => c.spec.stress)!;
    const r = analyze(runScenario(spec, seed * 1000 + i));
    expect(r.beyond.p95).toBeLessThanOrEqual(GOAL_P95_BEYOND_MS);
  });

  it('measures real asymmetry: the worst case sits at its bound, not at zero', () => {
    const { seed, spec, i } = cases.find((c) => c.spec.name === 'worst-case')!;
    const r = analyze(runScenario(spec, seed * 1000 + i));
    expect(r.maxAsymmetryMs).toBeGreaterThan(140);
    // Every member is ~145 ms off in absolute terms, all of it the invisible asymmetry.
    expect(r.error.p50).toBeGreaterThan(100);
    expect(r.beyond.p50).toBeLessThan(10);
  });

  it('is deterministic for a seed', () => {
    const spec = cases[1]!.spec;
    expect(analyze(runScenario(spec, 99))).toEqual(analyze(runScenario(spec, 99)));
    expect(analyze(runScenario(spec, 99))).not.toEqual(analyze(runScenario(spec, 98)));
  });
});
