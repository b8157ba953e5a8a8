// The load tester's command line (`pnpm loadtest [scenario] [options]`), parsed once into a
// typed, frozen object. Every problem is listed at once so a long run is not started and then
// refused one flag at a time. Scenario-specific defaults (chat-storm's many slow senders) are
// resolved here too, so the runner never guesses.

import { parseArgs } from 'node:util';
import { isEventId } from '@fanfare/protocol';
import { TARGET_KINDS, isTargetKind } from './dialect.js';
import type { TargetKind } from './dialect.js';

export const DEFAULT_FANS = 2000;
export const DEFAULT_DURATION_S = 10;
/** Chat messages per second, all senders together. */
export const DEFAULT_RATE_PER_S = 1000;
export const DEFAULT_SENDERS = 10;
export const DEFAULT_WORKERS = 2;
export const DEFAULT_EVENT_ID = 'demo';
/** chat-storm: senders stay under the fan limit (1 msg/s, burst 3) with this rate each. */
export const CHAT_STORM_RATE_PER_SENDER = 0.8;
export const DEFAULT_TAPS_PER_FAN_PER_S = 2;
export const DEFAULT_DROP_FRACTION = 0.2;
/** The latency objective a ramp step must hold: p99 publish-to-fan, ms. */
export const DEFAULT_OBJECTIVE_MS = 100;
export const DEFAULT_STEP_S = 3;
/** broadcast-max starts where every fan together receives about this many messages/s. */
export const RAMP_START_DELIVERIES_PER_S = 200_000;
export const RAMP_FACTOR = 1.5;
export const RAMP_MAX_STEPS = 10;
export const DEFAULT_SHARDS = 1;
/** Joins plus upgrades in flight over all generators. */
export const DEFAULT_CONNECT_CONCURRENCY = 256;
/** Sockets one generator may hold: under the 20k open files per process, with room to spare. */
export const MAX_FANS_PER_WORKER = 19_000;
/**
 * cluster: the shape (90,000 fans of one event, 5 shards, 5 msg/s, p99 <= 250 ms), a
 * 30 s send phase, and generators of at most 15,000 fans each (6 for 90,000), each from its own
 * source address.
 */
export const CLUSTER_DEFAULTS = {
  fans: 90_000,
  shards: 5,
  ratePerS: 5,
  durationS: 30,
  objectiveMs: 250,
  fansPerWorker: 15_000,
  minWorkers: 5,
  /**
   * No fan starts connecting after this many seconds (the run then goes on with those in): at
   * the ~394 connects/s a 60,000-fan storm managed here, 90,000 take ~230 s; the limit keeps the
   * whole run under 6 minutes.
   */
  connectLimitS: 240,
} as const;

export const SCENARIOS = [
  'join-storm',
  'broadcast',
  'broadcast-max',
  'chat-storm',
  'reactions',
  'recovery',
  'resume-storm',
  'poll-burst',
  'cluster',
  'shard-kill',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** The run shape every scenario shares (also what the chat figures are computed from). */
export interface BenchOptions {
  /** Fans connected to the one event, senders included. */
  readonly fans: number;
  /** Length of the send phase, s. */
  readonly durationS: number;
  /** Chat messages per second over all senders. */
  readonly ratePerS: number;
  /** Fans that also send; each sends `ratePerS / senders` messages per second. */
  readonly senders: number;
  /** Generator processes the fans are spread over. */
  readonly workers: number;
  readonly eventId: string;
  /** Base URL of an engine already running; undefined to spawn one. */
  readonly targetApi: string | undefined;
}

export interface LoadtestOptions extends BenchOptions {
  readonly scenario: Scenario;
  /** Targets run one after the other, each with the same generator and scenario. */
  readonly targets: readonly TargetKind[];
  /** Fanfare shards (a local cluster when > 1) or Socket.IO processes (Redis adapter). */
  readonly shards: number;
  readonly tapsPerFanPerS: number;
  readonly dropFraction: number;
  readonly objectiveMs: number;
  readonly stepS: number;
  /** Pin servers and generators to separate cores. */
  readonly pin: boolean;
  readonly connectConcurrency: number;
  /** Fanfare: fetch every token before any upgrade (the join storm then times the shard alone). */
  readonly prefetchTokens: boolean;
  /** Fanfare: first connections with the join's token (ES256) instead of the join's ticket. */
  readonly joinToken: boolean;
  /** Fanfare: the API and the shard(s) as separate processes, even with one shard. */
  readonly cluster: boolean;
  /** With --target-api: a producer's staff token, for the control API (poll-burst). */
  readonly producerToken: string | undefined;
  /** join-storm: every fan arrives within this many seconds (open loop); undefined: closed loop. */
  readonly withinS: number | undefined;
  /**
   * Fanfare's admission control in an engine started here: `on` (its defaults), `off`, or a
   * shard budget `<rate/s>/<burst>` (GATEWAY_ADMISSION_RATE).
   */
  readonly admission: string;
  /** shard-kill: the shard to kill by id (`g2`); undefined: the fullest holding no sender. */
  readonly victim: string | undefined;
}

export type ParsedOptions =
  | { kind: 'run'; options: LoadtestOptions }
  | { kind: 'help' }
  | { kind: 'invalid'; problems: string[] };

function readNumber(
  raw: string | undefined,
  fallback: number,
  flag: string,
  problems: string[],
  integer: boolean,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    problems.push(`--${flag} must be a positive number, got "${raw}"`);
    return fallback;
  }
  if (integer && !Number.isInteger(value)) {
    problems.push(`--${flag} must be a whole number, got "${raw}"`);
    return fallback;
  }
  return value;
}

function readBaseUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.href.replace(/\/+$/, '');
  } catch {
    // The reason is always the same for the user: not a usable base URL.
    problems.push(`--target-api must be an http(s) URL, got "${raw}"`);
    return undefined;
  }
}

function readTargets(raw: string | undefined, problems: string[]): TargetKind[] {
  if (raw === undefined) return ['fanfare'];
  if (raw === 'all') return [...TARGET_KINDS];
  const targets = raw.split(',');
  const bad = targets.filter((t) => !isTargetKind(t));
  if (bad.length > 0) {
    problems.push(`--target must be ${TARGET_KINDS.join(', ')} or all, got "${bad.join(',')}"`);
    return ['fanfare'];
  }
  return targets as TargetKind[];
}

const FLAGS = {
  fans: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  senders: { type: 'string' },
  workers: { type: 'string' },
  shards: { type: 'string' },
  taps: { type: 'string' },
  drop: { type: 'string' },
  objective: { type: 'string' },
  step: { type: 'string' },
  concurrency: { type: 'string' },
  event: { type: 'string' },
  target: { type: 'string' },
  'target-api': { type: 'string' },
  'no-pin': { type: 'boolean' },
  'prefetch-tokens': { type: 'boolean' },
  'join-token': { type: 'boolean' },
  cluster: { type: 'boolean' },
  'producer-token': { type: 'string' },
  within: { type: 'string' },
  admission: { type: 'string' },
  victim: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Parses the arguments after the script name (a leading `--` from pnpm is ignored). */
export function parseBenchOptions(argv: readonly string[]): ParsedOptions {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: true, options: FLAGS });
  } catch (error) {
    return { kind: 'invalid', problems: [(error as Error).message] };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };

  const problems: string[] = [];
  const scenarioName = positionals[0] ?? 'broadcast';
  if (!(SCENARIOS as readonly string[]).includes(scenarioName)) {
    problems.push(`unknown scenario "${scenarioName}"; one of: ${SCENARIOS.join(', ')}`);
  }
  if (positionals.length > 1) problems.push(`one scenario at a time, got ${positionals.join(' ')}`);
  const scenario = scenarioName as Scenario;
  const cluster = scenario === 'cluster';
  const fans = readNumber(
    values.fans,
    cluster ? CLUSTER_DEFAULTS.fans : DEFAULT_FANS,
    'fans',
    problems,
    true,
  );
  const durationS = readNumber(
    values.duration,
    cluster ? CLUSTER_DEFAULTS.durationS : DEFAULT_DURATION_S,
    'duration',
    problems,
    false,
  );
  const storm = scenario === 'chat-storm';
  const defaultSenders = storm
    ? Math.max(1, Math.min(2000, Math.floor(fans / 2)))
    : DEFAULT_SENDERS;
  const senders = readNumber(values.senders, defaultSenders, 'senders', problems, true);
  const defaultRate = storm
    ? senders * CHAT_STORM_RATE_PER_SENDER
    : scenario === 'broadcast-max'
      ? Math.max(1, Math.round(RAMP_START_DELIVERIES_PER_S / fans))
      : cluster
        ? CLUSTER_DEFAULTS.ratePerS
        : DEFAULT_RATE_PER_S;
  const ratePerS = readNumber(values.rate, defaultRate, 'rate', problems, false);
  const defaultWorkers = cluster
    ? Math.max(CLUSTER_DEFAULTS.minWorkers, Math.ceil(fans / CLUSTER_DEFAULTS.fansPerWorker))
    : DEFAULT_WORKERS;
  const workers = readNumber(values.workers, defaultWorkers, 'workers', problems, true);
  const shards = readNumber(
    values.shards,
    cluster ? CLUSTER_DEFAULTS.shards : DEFAULT_SHARDS,
    'shards',
    problems,
    true,
  );
  const tapsPerFanPerS = readNumber(
    values.taps,
    DEFAULT_TAPS_PER_FAN_PER_S,
    'taps',
    problems,
    false,
  );
  const dropFraction = readNumber(values.drop, DEFAULT_DROP_FRACTION, 'drop', problems, false);
  const objectiveMs = readNumber(
    values.objective,
    cluster ? CLUSTER_DEFAULTS.objectiveMs : DEFAULT_OBJECTIVE_MS,
    'objective',
    problems,
    false,
  );
  const stepS = readNumber(values.step, DEFAULT_STEP_S, 'step', problems, false);
  const connectConcurrency = readNumber(
    values.concurrency,
    DEFAULT_CONNECT_CONCURRENCY,
    'concurrency',
    problems,
    true,
  );
  const eventId = values.event ?? DEFAULT_EVENT_ID;
  if (!isEventId(eventId)) problems.push(`--event must be an event id, got "${eventId}"`);
  const targetApi = readBaseUrl(values['target-api'], problems);
  const targets = readTargets(values.target, problems);
  if (senders > fans) problems.push(`--senders (${senders}) cannot exceed --fans (${fans})`);
  if (workers > fans) problems.push(`--workers (${workers}) cannot exceed --fans (${fans})`);
  if (fans / workers > MAX_FANS_PER_WORKER) {
    problems.push(
      `${fans} fans need --workers ${Math.ceil(fans / MAX_FANS_PER_WORKER)} or more (${MAX_FANS_PER_WORKER} per generator)`,
    );
  }
  if (dropFraction > 1)
    problems.push(`--drop is a share of the fans, at most 1, got ${dropFraction}`);
  if (targetApi !== undefined && targets.some((t) => t !== 'fanfare')) {
    problems.push('--target-api is a Fanfare engine: use it with --target fanfare');
  }
  const producerToken = values['producer-token'];
  if (scenario === 'poll-burst' && targetApi !== undefined && producerToken === undefined) {
    problems.push('poll-burst with --target-api needs --producer-token (it opens a poll)');
  }

  let withinS: number | undefined;
  if (values.within !== undefined) {
    const m = /^(\d+(\.\d+)?)s?$/.exec(values.within.trim());
    if (m === null || Number(m[1]) <= 0) {
      problems.push(`--within must be seconds such as 2 or 2s, got "${values.within}"`);
    } else withinS = Number(m[1]);
    if (scenario !== 'join-storm') problems.push('--within is for join-storm');
  }
  const admission = values.admission ?? (cluster ? 'off' : 'on');
  if (cluster) {
    if (targets.some((t) => t !== 'fanfare')) problems.push('cluster runs against Fanfare only');
    if (targetApi !== undefined) problems.push('cluster starts its own cluster: no --target-api');
    if (shards < 2) problems.push(`cluster needs --shards 2 or more, got ${shards}`);
  }
  const shardKill = scenario === 'shard-kill';
  if (shardKill) {
    if (targets.some((t) => t !== 'fanfare')) problems.push('shard-kill runs against Fanfare only');
    if (targetApi !== undefined)
      problems.push('shard-kill starts its own cluster: no --target-api');
    if (shards < 2) problems.push(`shard-kill needs --shards 2 or more, got ${shards}`);
  }
  const victim = values.victim;
  if (victim !== undefined && !shardKill) problems.push('--victim is for shard-kill');
  if (victim !== undefined && !/^g\d+$/.test(victim)) {
    problems.push(`--victim must be a shard id such as g2, got "${victim}"`);
  }
  if (!/^(on|off|\d+(\.\d+)?\/\d+)$/.test(admission)) {
    problems.push(`--admission must be on, off or <rate/s>/<burst>, got "${admission}"`);
  }

  if (problems.length > 0) return { kind: 'invalid', problems };
  return {
    kind: 'run',
    options: Object.freeze({
      scenario,
      targets,
      fans,
      durationS,
      ratePerS,
      senders,
      workers,
      shards,
      tapsPerFanPerS,
      dropFraction,
      objectiveMs,
      stepS,
      connectConcurrency,
      eventId,
      targetApi,
      // cluster: N shards, the API, NATS and the generators share every core; no pinning.
      pin: values['no-pin'] !== true && !cluster,
      prefetchTokens: values['prefetch-tokens'] === true,
      joinToken: values['join-token'] === true,
      cluster: values.cluster === true || cluster || shardKill,
      producerToken,
      withinS,
      admission,
      victim,
    }),
  };
}
