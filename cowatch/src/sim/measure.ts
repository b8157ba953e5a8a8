// What the benchmark measures, from outside the members: at each sampling instant of TRUE time,
// every member's media position minus the shared position. Members cannot see their path
// asymmetry; the measurement can, so it reports the error beyond that bound as well.

import type { Timeline } from '@fanfare/protocol';
import type { SimMember } from './sim-member.js';
import type { ScenarioRun } from './scenario.js';

/** Sampling period, true ms. */
export const SAMPLE_EVERY_MS = 50;
/** A member counts as converged when its error beyond its asymmetry bound is at most this, ms. */
export const CONVERGED_MS = 30;
/** Steady-state statistics start this long after each host command (the convergence goal), ms. */
export const SETTLE_MS = 3_000;
/** ... and this long after the start, when members are still joining and syncing clocks, ms. */
export const WARMUP_MS = 5_000;
/** A member's samples are left out from a stall's start until this long after its end, ms. */
export const STALL_RECOVERY_MS = 3_000;

export const GOAL_P95_BEYOND_MS = 30;
export const GOAL_MAX_BEYOND_MS = 100;
/** Every member within CONVERGED_MS of the timeline this soon after a seek, pause or resume, ms. */
export const GOAL_CONVERGE_MS = 1_000;
/**
 * Two members' positions at the same true instant, each less its own path asymmetry (which no
 * protocol can see), differ by at most this at the 95th percentile and at most GOAL_GAP_MAX_MS,
 * ms, in the scenarios with the issue's delays (`gapGoal`).
 */
export const GOAL_GAP_P95_MS = 15;
export const GOAL_GAP_MAX_MS = 30;
/** A start (resume, or the gate opening after a seek) counts as clean when no member seeks in it. */
const START_WINDOW_MS = 1_000;

export interface Trace {
  times: number[];
  /**
   * Per sample: how much media time one ms of clock error is worth, i.e. the shared rate while
   * playing and 0 while paused (a paused member's target does not depend on any clock).
   */
  clockWeight: number[];
  /** Per member: |up - down| / 2 of its link's base delays, ms. */
  bounds: number[];
  /** Per member: (up - down) / 2, the clock error its path's asymmetry causes, signed, ms. */
  biases: number[];
  /** Per member, per sample: media position minus shared position, ms. */
  err: number[][];
  /** Per member, per sample: clock-offset estimate minus the true offset, ms. */
  clockErr: number[][];
  /** Per member, per sample: the controller's seek count so far. */
  seeks: number[][];
  /** True ms at which a start took effect (a playing timeline's `at` after a paused one). */
  starts: number[];
}

export function newTrace(members: readonly SimMember[]): Trace {
  return {
    times: [],
    clockWeight: [],
    bounds: members.map((m) => m.link.asymmetryBoundMs),
    biases: members.map((m) => (m.link.spec.upMs - m.link.spec.downMs) / 2),
    err: members.map(() => []),
    clockErr: members.map(() => []),
    seeks: members.map(() => []),
    starts: [],
  };
}

export function recordSample(
  trace: Trace,
  t: number,
  timeline: Timeline,
  members: readonly SimMember[],
): void {
  trace.times.push(t);
  trace.clockWeight.push(timeline.paused ? 0 : timeline.rate);
  members.forEach((m, i) => {
    trace.err[i]!.push(m.errorMs());
    trace.clockErr[i]!.push(m.offsetErrorMs());
    trace.seeks[i]!.push(m.controller.stats.seeks);
  });
}

export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

export interface ScenarioResult {
  name: string;
  members: number;
  /** |error| over the steady windows, ms. */
  error: Percentiles;
  /** |error| minus the member's asymmetry bound (times the clock weight), floored at 0, ms. */
  beyond: Percentiles;
  /** |clock-offset error| minus the asymmetry bound, floored at 0, ms (after warm-up). */
  clockBeyond: Percentiles;
  /** Gap between two members at the same true instant, less their asymmetries, ms (steady). */
  gap: Percentiles;
  /** Largest |clock drift| of a member against the server, ppm. */
  maxDriftPpm: number;
  /** |fitted rate - true rate| over the members after warm-up, ppm. */
  rateError: Percentiles;
  maxAsymmetryMs: number;
  joinConvergenceMs: number;
  /** Worst convergence after a host seek, ms (Infinity: some member never converged in time). */
  seekConvergenceMs: number | undefined;
  /** Worst convergence after a pause or a resume, ms. */
  pauseResumeConvergenceMs: number | undefined;
  /** Worst convergence after a rate change, ms (reported, not a goal: see docs/cowatch.md). */
  rateConvergenceMs: number | undefined;
  /** Starts (resumes, gates opening) after which some member seeked within a second. */
  startSeeks: number;
  starts: number;
  seeksPerMember: number;
  rateFlips: number;
  /**
   * `playbackRate` writes per member per simulated minute: nudges, their ends and the host's own
   * rate changes (each write may glitch audio on some browsers: the wobble budget).
   */
  rateWritesPerMin: number;
  stalls: number;
  stallRecoveryMaxMs: number | undefined;
  goals: { p95: boolean; max: boolean; converge: boolean; gap: boolean };
  /** A stress scenario: its goals are reported, not held (ScenarioSpec.stress). */
  stress: boolean;
}

/** Nearest-rank percentiles; zeros when empty. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p95: at(95), max: sorted[sorted.length - 1]! };
}

function beyondBound(errMs: number, boundMs: number): number {
  return Math.max(0, Math.abs(errMs) - boundMs);
}

export function analyze(run: ScenarioRun): ScenarioResult {
  const { spec, members, trace } = run;
  const { times } = trace;
  const excluded = members.map((m) =>
    times.map((t) => m.media.stalls.some((s) => t >= s.start && t < s.end + STALL_RECOVERY_MS)),
  );
  const starts = [0, ...spec.script.map((s) => s.atMs)];
  const ends = [...spec.script.map((s) => s.atMs), spec.durationMs + 1];
  const errors: number[] = [];
  const beyond: number[] = [];
  const clockBeyond: number[] = [];
  const convergence: number[] = [];
  const gaps: number[] = [];
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k]!;
    const end = ends[k]!;
    const steadyFrom = start + (k === 0 ? WARMUP_MS : SETTLE_MS);
    let convergedAt = start;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      if (t < start || t >= end) continue;
      const own: number[] = [];
      members.forEach((_, m) => {
        if (excluded[m]![i]) return;
        const b = beyondBound(trace.err[m]![i]!, trace.bounds[m]! * trace.clockWeight[i]!);
        if (b > CONVERGED_MS) convergedAt = t + SAMPLE_EVERY_MS;
        if (t < steadyFrom) return;
        errors.push(Math.abs(trace.err[m]![i]!));
        beyond.push(b);
        own.push(trace.err[m]![i]! - trace.biases[m]! * trace.clockWeight[i]!);
      });
      for (let a = 0; a < own.length; a++) {
        for (let b = a + 1; b < own.length; b++) gaps.push(Math.abs(own[a]! - own[b]!));
      }
    }
    convergence.push(convergedAt >= end ? Infinity : convergedAt - start);
  }
  times.forEach((t, i) => {
    if (t < WARMUP_MS) return;
    members.forEach((_, m) =>
      clockBeyond.push(beyondBound(trace.clockErr[m]![i]!, trace.bounds[m]!)),
    );
  });
  const kinds = spec.script.map((s) => s.cmd.kind);
  const worst = (pick: (kind: string) => boolean): number | undefined => {
    const values = convergence.slice(1).filter((_, k) => pick(kinds[k]!));
    return values.length === 0 ? undefined : Math.max(...values);
  };
  const seekConvergenceMs = worst((kind) => kind === 'seek');
  const pauseResumeConvergenceMs = worst((kind) => kind === 'pause' || kind === 'resume');
  const recoveries = stallRecoveries(run);
  const gap = percentiles(gaps);
  const rateErrors = members.map((m) => Math.abs(m.sync.ratePpm - m.trueRatePpm()));
  const error = percentiles(errors);
  const beyondP = percentiles(beyond);
  return {
    name: spec.name,
    members: members.length,
    error,
    beyond: beyondP,
    clockBeyond: percentiles(clockBeyond),
    gap,
    maxDriftPpm: Math.max(...members.map((m) => Math.abs(m.spec.driftPpm))),
    rateError: percentiles(rateErrors),
    maxAsymmetryMs: Math.max(...trace.bounds),
    joinConvergenceMs: convergence[0]!,
    seekConvergenceMs,
    pauseResumeConvergenceMs,
    rateConvergenceMs: worst((kind) => kind === 'rate'),
    startSeeks: trace.starts.filter((at) => seekedNear(trace, at)).length,
    starts: trace.starts.length,
    seeksPerMember: members.reduce((n, m) => n + m.controller.stats.seeks, 0) / members.length,
    rateFlips: members.reduce((n, m) => n + m.controller.stats.rateFlips, 0),
    rateWritesPerMin:
      members.reduce((n, m) => n + m.controller.stats.rateChanges, 0) /
      members.length /
      (spec.durationMs / 60_000),
    stalls: members.reduce((n, m) => n + m.media.stalls.length, 0),
    stallRecoveryMaxMs: recoveries.length === 0 ? undefined : Math.max(...recoveries),
    goals: {
      p95: beyondP.p95 <= GOAL_P95_BEYOND_MS,
      max: beyondP.max <= GOAL_MAX_BEYOND_MS,
      converge: Math.max(seekConvergenceMs ?? 0, pauseResumeConvergenceMs ?? 0) <= GOAL_CONVERGE_MS,
      gap: !spec.gapGoal || (gap.p95 <= GOAL_GAP_P95_MS && gap.max <= GOAL_GAP_MAX_MS),
    },
    stress: spec.stress ?? false,
  };
}

/** Per finished stall: true ms from its end until the member is within CONVERGED_MS again. */
function stallRecoveries(run: ScenarioRun): number[] {
  const { members, trace } = run;
  const out: number[] = [];
  members.forEach((m, mi) => {
    for (const stall of m.media.stalls) {
      const i = trace.times.findIndex(
        (t, j) =>
          t >= stall.end &&
          beyondBound(trace.err[mi]![j]!, trace.bounds[mi]! * trace.clockWeight[j]!) <=
            CONVERGED_MS,
      );
      if (i >= 0) out.push(trace.times[i]! - stall.end);
    }
  });
  return out;
}

/** True when some member's seek count grew within START_WINDOW_MS after the start at `at`. */
function seekedNear(trace: Trace, at: number): boolean {
  const from = trace.times.findIndex((t) => t >= at);
  const to = trace.times.findIndex((t) => t > at + START_WINDOW_MS);
  if (from < 1) return false;
  const end = to < 0 ? trace.times.length - 1 : to;
  return trace.seeks.some((counts) => counts[end]! > counts[from - 1]!);
}
