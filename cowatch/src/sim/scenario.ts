// Scenario definitions and the runner: builds a server and N members with randomly drawn clocks,
// links and media from a seeded RNG, plays a host script and records a trace. Same seed, same
// numbers: every draw comes from forks of one generator and the event order is deterministic.

import { Rng } from './rng.js';
import { SimScheduler } from './scheduler.js';
import { SimMember } from './sim-member.js';
import type { MemberSpec } from './sim-member.js';
import { SimServer } from './sim-server.js';
import type { HostCommand } from './sim-server.js';
import { SAMPLE_EVERY_MS, recordSample, newTrace } from './measure.js';
import type { Trace } from './measure.js';

/** Server clock origin (ms since the epoch at true time 0). */
const ORIGIN_MS = 1_700_000_000_000;

export interface ScriptStep {
  atMs: number;
  cmd: HostCommand;
}

/** Ranges members are drawn from; every value uniform in its range. */
export interface Population {
  delayMs: [number, number];
  jitterMs: [number, number];
  skewMs: number;
  driftPpm: number;
  seekLatencyMs: [number, number];
  seekVariation: number;
  rateDelayMs: [number, number];
  playDelayMs: [number, number];
  stallMeanIntervalMs: number;
  stallMs: [number, number];
  /** Force every member to one extreme of `delayMs` up and the other down (worst asymmetry). */
  extremeAsymmetry?: boolean;
  /** Force every member's drift to +/- `driftPpm`, alternating (the worst drift). */
  extremeDrift?: boolean;
}

export interface ScenarioSpec {
  name: string;
  members: number;
  durationMs: number;
  population: Population;
  script: ScriptStep[];
  /** The gap between members is held to GOAL_GAP_P95_MS / GOAL_GAP_MAX_MS here. */
  gapGoal?: boolean;
  /**
   * Beyond what the design promises (issue 18 asks for drift up to ±1,000 ppm): measured and
   * reported against the same goals, but a miss does not fail the benchmark.
   */
  stress?: boolean;
}

/**
 * The brief's network and devices: delays 10-300 ms, jitter to 100 ms, skews to +/-5 s, quartz
 * clocks (+/-50 ppm). The drift-* scenarios take clocks to +/-1,000 and 5,000 ppm.
 */
export const DEFAULT_POPULATION: Population = {
  delayMs: [10, 300],
  jitterMs: [0, 100],
  skewMs: 5_000,
  driftPpm: 50,
  seekLatencyMs: [50, 300],
  seekVariation: 0.25,
  rateDelayMs: [20, 100],
  playDelayMs: [10, 60],
  stallMeanIntervalMs: Infinity,
  stallMs: [200, 1_500],
};

export function drawMember(rng: Rng, p: Population, index: number): MemberSpec {
  const [lo, hi] = p.delayMs;
  let upMs = rng.uniform(lo, hi);
  let downMs = rng.uniform(lo, hi);
  if (p.extremeAsymmetry) [upMs, downMs] = index % 2 === 0 ? [lo, hi] : [hi, lo];
  const seekLatencyMs = rng.uniform(...p.seekLatencyMs);
  return {
    skewMs: rng.uniform(-p.skewMs, p.skewMs),
    driftPpm: p.extremeDrift
      ? (index % 2 === 0 ? 1 : -1) * p.driftPpm
      : rng.uniform(-p.driftPpm, p.driftPpm),
    link: { upMs, downMs, jitterMs: rng.uniform(...p.jitterMs) },
    media: {
      seekLatencyMs,
      seekVariation: p.seekVariation,
      rateDelayMs: rng.uniform(...p.rateDelayMs),
      playDelayMs: rng.uniform(...p.playDelayMs),
      stallMeanIntervalMs: p.stallMeanIntervalMs,
      stallMinMs: p.stallMs[0],
      stallMaxMs: p.stallMs[1],
    },
  };
}

export interface ScenarioRun {
  spec: ScenarioSpec;
  members: SimMember[];
  trace: Trace;
}

/** Runs `spec` to its end in virtual time and returns the members and the sampled trace. */
export function runScenario(spec: ScenarioSpec, seed: number): ScenarioRun {
  const rng = new Rng(seed);
  const sched = new SimScheduler();
  const server = new SimServer(sched, ORIGIN_MS);
  const members: SimMember[] = [];
  for (let i = 0; i < spec.members; i++) {
    const memberRng = rng.fork(100 + i);
    const member = new SimMember(
      sched,
      memberRng,
      server,
      ORIGIN_MS,
      drawMember(memberRng, spec.population, i),
    );
    members.push(member);
    // Members join over the first half second, not in lockstep.
    sched.at(rng.uniform(0, 500), () => member.start());
  }
  for (const step of spec.script) sched.at(step.atMs, () => server.command(step.cmd));
  const trace = newTrace(members);
  server.onStart = (atMs) => trace.starts.push(atMs - ORIGIN_MS);
  for (let t = SAMPLE_EVERY_MS; t <= spec.durationMs; t += SAMPLE_EVERY_MS) {
    sched.runUntil(t);
    recordSample(trace, t, server.live, members);
  }
  for (const m of members) m.close();
  return { spec, members, trace };
}

/** Host seeks every 10 s to positions far apart, forward and back. */
export function seekScript(durationMs: number, rng: Rng): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (let t = 10_000; t <= durationMs - 5_000; t += 10_000) {
    steps.push({ atMs: t, cmd: { kind: 'seek', position: Math.round(rng.uniform(0, 3_600)) } });
  }
  return steps;
}

/** Pauses of varying length (1-6 s), then resumes, every 10 s. */
export function pauseScript(durationMs: number): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let pauseFor = 6_000;
  for (let t = 10_000; t <= durationMs - 9_000; t += 10_000) {
    steps.push(
      { atMs: t, cmd: { kind: 'pause' } },
      { atMs: t + pauseFor, cmd: { kind: 'resume' } },
    );
    pauseFor = pauseFor === 6_000 ? 1_000 : 6_000;
  }
  return steps;
}

/** Rate changes every 10 s through 1.5, 0.75, 1.25, 1. */
export function rateScript(durationMs: number): ScriptStep[] {
  const rates = [1.5, 0.75, 1.25, 1];
  const steps: ScriptStep[] = [];
  for (let t = 10_000, i = 0; t <= durationMs - 5_000; t += 10_000, i++) {
    steps.push({ atMs: t, cmd: { kind: 'rate', rate: rates[i % rates.length]! } });
  }
  return steps;
}

/** Seeks, pauses, resumes and a rate change in turn, every 10 s: what a host does. */
export function mixedScript(durationMs: number, rng: Rng): ScriptStep[] {
  const steps: ScriptStep[] = [];
  const cycle: ((r: Rng) => ScriptStep['cmd'])[] = [
    (r) => ({ kind: 'seek', position: Math.round(r.uniform(0, 3_600)) }),
    () => ({ kind: 'pause' }),
    () => ({ kind: 'resume' }),
    () => ({ kind: 'rate', rate: 1.25 }),
    () => ({ kind: 'rate', rate: 1 }),
  ];
  for (let t = 10_000, i = 0; t <= durationMs - 5_000; t += 10_000, i++) {
    steps.push({ atMs: t, cmd: cycle[i % cycle.length]!(rng) });
  }
  return steps;
}

/** The benchmark's scenarios for `members` members over `durationMs`. */
export function benchScenarios(members: number, durationMs: number, seed: number): ScenarioSpec[] {
  const rng = new Rng(seed ^ 0x5eed);
  const base = { members, durationMs, population: DEFAULT_POPULATION };
  return [
    { ...base, name: 'steady', script: [] },
    { ...base, name: 'host-seeks', script: seekScript(durationMs, rng.fork(1)) },
    { ...base, name: 'pause-resume', script: pauseScript(durationMs) },
    { ...base, name: 'rate-changes', script: rateScript(durationMs) },
    {
      ...base,
      name: 'stalls+seeks',
      population: { ...DEFAULT_POPULATION, stallMeanIntervalMs: 20_000 },
      script: seekScript(durationMs, rng.fork(2)),
    },
    {
      ...base,
      name: 'worst-case',
      population: {
        ...DEFAULT_POPULATION,
        extremeAsymmetry: true,
        jitterMs: [100, 100],
        seekLatencyMs: [300, 400],
      },
      script: seekScript(durationMs, rng.fork(3)),
    },
    {
      ...base,
      // The path: 80 +/- 40 ms each way (40 ms base, up to 80 ms of jitter).
      name: 'path-80±40',
      population: { ...DEFAULT_POPULATION, delayMs: [40, 40], jitterMs: [80, 80] },
      script: mixedScript(durationMs, rng.fork(5)),
      gapGoal: true,
    },
    {
      ...base,
      // The asymmetric path: 120 ms up, 20 ms down (a 50 ms bound), a little jitter.
      name: 'path-120/20',
      population: {
        ...DEFAULT_POPULATION,
        delayMs: [20, 120],
        extremeAsymmetry: true,
        jitterMs: [5, 5],
      },
      script: mixedScript(durationMs, rng.fork(6)),
      gapGoal: true,
    },
    {
      ...base,
      name: 'drift-1000ppm',
      population: { ...DEFAULT_POPULATION, driftPpm: 1_000 },
      script: mixedScript(durationMs, rng.fork(7)),
    },
    {
      ...base,
      name: 'drift-5000ppm',
      population: { ...DEFAULT_POPULATION, driftPpm: 5_000, extremeDrift: true },
      script: seekScript(durationMs, rng.fork(4)),
      stress: true,
    },
  ];
}
