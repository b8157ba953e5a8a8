// The default suite `pnpm bench` runs: every scenario against Fanfare and its peers with the
// same generator, sized to finish in under 10 minutes on a 2-core machine. Large sessions put
// one shard's worth of fans (19k) on each target: memory, joins, recovery, and the ramp from
// 1 msg/s. Small ones (2k fans) compare paced loads and ramp as far as the objective allows,
// which at 19k fans no rate may; reactions get their own small sessions, since a peer swamped
// by taps would carry its backlog into anything after. The next pair runs two processes per
// target (Fanfare's cluster on NATS and Redis, Socket.IO with the Redis adapter); the last
// session kills one of six Fanfare shards under 19k fans (shard-kill).

import type { TargetKind } from './dialect.js';
import { DEFAULT_CONNECT_CONCURRENCY, DEFAULT_OBJECTIVE_MS, RAMP_FACTOR } from './options.js';
import { ADMISSION_OFF, OPEN_CHAT_LIMITS } from './runner.js';
import type { Phase, SessionPlan } from './runner.js';
import { broadcast, recovery } from './scenario-chat.js';
import { reactions, resumeStorm } from './scenario-connect.js';
import { broadcastRamp } from './scenario-ramp.js';
import { shardKill, spareCapacity } from './scenario-shard-kill.js';
import { SUITE_MULTI_FANS, SUITE_SHARD_FANS, SUITE_SMALL_FANS } from './suite-sizes.js';

/** Small sessions' ramp starts where every fan together receives this many messages/s. */
const RAMP_START_DELIVERIES = 200_000;
/** One shard's worth of fans: the ramp starts at the lowest rate and climbs while it holds. */
const SHARD_RAMP_START_RATE = 1;
const RAMP_STEP_S = 2.5;
const RAMP_MAX_STEPS = 8;
/** Paced phases: seconds of sending. */
const PHASE_S = 5;
/** broadcast: 20 msg/s from 40 senders (0.5 msg/s each, within the fan limit of 1/s). */
const BROADCAST = { ratePerS: 20, senders: 40 };
/** chat-storm: 200 senders at 0.8 msg/s each. */
const CHAT_STORM = { ratePerS: 160, senders: 200 };
const TAPS_PER_FAN_PER_S = 1;
const RECOVERY = { ratePerS: 5, senders: 10, durationS: 8, fraction: 0.2 };
/**
 * shard-kill: 19k fans over six shards planned for the loss of one (five hold the fans, ~3,900
 * each, 20 %; the sixth is the spare), chat as in recovery, the fullest shard without a sender
 * killed half-way.
 */
const SHARD_KILL = { shards: 6, ratePerS: 5, senders: 10, durationS: 8 };
/** resume-storm: this share of the fans drops at once, no chat flowing. */
const RESUME_STORM_FRACTION = 0.2;
/**
 * Sessions of a whole shard's fans: joins, upgrades and resumes in flight at once. A storm's
 * fans do not wait for each other; at the default 256 the 3,798 fans of a resume storm would
 * come back in ~15 rounds of the generator's, and the row would time its queue, not the
 * server. Every target's 19,000-fan session gets the same, so the join storms stay comparable.
 */
const STORM_CONCURRENCY = 2000;

const TARGETS: readonly TargetKind[] = ['fanfare', 'uws-raw', 'socketio'];

interface Shape {
  target: TargetKind;
  /** Joins, upgrades and resumes in flight at once (all generators together). */
  connectConcurrency?: number;
  fans: number;
  shards: number;
  senders: number;
  /** Fanfare's limits: open for the ramp's few fast senders, the defaults otherwise. */
  openLimits: boolean;
  prefetchTokens: boolean;
  reportJoinStorm: boolean;
  /** Fanfare as the cluster launcher (API apart) even for one shard: the shard's own RSS and CPU. */
  cluster?: boolean;
  /** Fanfare cluster: SHARD_CAPACITY (default: the fans' share per shard plus 10 %). */
  shardCapacity?: number;
  phases: Phase[];
}

function plan(s: Shape): SessionPlan {
  return {
    options: {
      target: s.target,
      shards: s.shards,
      fans: s.fans,
      workers: Math.max(1, Math.ceil(s.fans / 10_000)),
      senders: s.senders,
      ratePerS: 1,
      eventId: 'demo',
      targetApi: undefined,
      // Admission off: the suite measures what a shard can admit (the capacity profile's
      // connectsPerSec, from which admission budgets are derived), not a budget set before.
      engineEnv: { ...(s.openLimits ? OPEN_CHAT_LIMITS : {}), ...ADMISSION_OFF },
      pin: true,
      connectConcurrency: s.connectConcurrency ?? DEFAULT_CONNECT_CONCURRENCY,
      prefetchTokens: s.prefetchTokens,
      cluster: s.cluster === true,
      ...(s.shardCapacity === undefined ? {} : { shardCapacity: s.shardCapacity }),
    },
    reportJoinStorm: s.reportJoinStorm,
    phases: s.phases,
  };
}

const ramp = (startRatePerS: number): Phase => ({
  name: 'broadcast-max',
  run: (ctx) =>
    broadcastRamp(ctx, {
      startRatePerS,
      factor: RAMP_FACTOR,
      stepS: RAMP_STEP_S,
      maxSteps: RAMP_MAX_STEPS,
      objectiveMs: DEFAULT_OBJECTIVE_MS,
      senders: 10,
    }),
});

const paced = (
  name: 'broadcast' | 'chat-storm',
  load: { ratePerS: number; senders: number },
): Phase => ({
  name,
  run: (ctx) =>
    broadcast(ctx, { name, ratePerS: load.ratePerS, senders: load.senders, durationS: PHASE_S }),
});

const tapping: Phase = {
  name: 'reactions',
  run: (ctx) => reactions(ctx, { tapsPerFanPerS: TAPS_PER_FAN_PER_S, durationS: PHASE_S }),
};

const resume: Phase = {
  name: 'recovery',
  run: (ctx) => recovery(ctx, RECOVERY),
};

const resumeStorms: Phase[] = [false, true].map((tickets) => ({
  name: tickets ? 'resume-storm' : 'resume-storm-token',
  run: (ctx) => resumeStorm(ctx, { fraction: RESUME_STORM_FRACTION, tickets }),
}));

/** The suite, in run order. */
export function suitePlans(): SessionPlan[] {
  const plans: SessionPlan[] = [];
  for (const target of TARGETS) {
    plans.push(
      plan({
        target,
        fans: SUITE_SHARD_FANS,
        connectConcurrency: STORM_CONCURRENCY,
        shards: 1,
        senders: 10,
        openLimits: true,
        prefetchTokens: true,
        reportJoinStorm: true,
        // The shard alone (API in its own process): its RSS per connection and CPU per join are
        // then its own, which the embedded engine's (API and PGlite beside it) are not.
        cluster: target === 'fanfare',
        phases:
          target === 'fanfare'
            ? [...resumeStorms, resume, ramp(SHARD_RAMP_START_RATE)]
            : [ramp(SHARD_RAMP_START_RATE)],
      }),
    );
  }
  const smallRamp = ramp(Math.round(RAMP_START_DELIVERIES / SUITE_SMALL_FANS));
  for (const target of TARGETS) {
    // Limits open for the ramp's ten fast senders; the paced phases' senders stay within the fan
    // limit anyway. The phase that swamps a peer (chat-storm) goes last.
    plans.push(
      plan({
        target,
        fans: SUITE_SMALL_FANS,
        shards: 1,
        senders: CHAT_STORM.senders,
        openLimits: true,
        prefetchTokens: false,
        reportJoinStorm: false,
        phases: [paced('broadcast', BROADCAST), smallRamp, paced('chat-storm', CHAT_STORM)],
      }),
    );
  }
  for (const target of TARGETS) {
    plans.push(
      plan({
        target,
        fans: SUITE_SMALL_FANS,
        shards: 1,
        senders: 1,
        openLimits: false,
        prefetchTokens: false,
        reportJoinStorm: false,
        phases: [tapping],
      }),
    );
  }
  for (const target of ['fanfare', 'socketio'] as const) {
    plans.push(
      plan({
        target,
        fans: SUITE_MULTI_FANS,
        shards: 2,
        senders: BROADCAST.senders,
        openLimits: false,
        prefetchTokens: false,
        reportJoinStorm: true,
        phases: [paced('broadcast', BROADCAST)],
      }),
    );
  }
  plans.push(
    plan({
      target: 'fanfare',
      fans: SUITE_SHARD_FANS,
      connectConcurrency: STORM_CONCURRENCY,
      shards: SHARD_KILL.shards,
      senders: SHARD_KILL.senders,
      openLimits: true,
      // Joins and upgrades interleaved, as fans do. (With 19k tokens fetched first the API once
      // forgot its assignments before any fan connected and packed 15,052 fans on one shard;
      // it counts placements exactly since: loadtest/README.md#shard-kill.)
      prefetchTokens: false,
      reportJoinStorm: false,
      cluster: true,
      shardCapacity: spareCapacity(SUITE_SHARD_FANS, SHARD_KILL.shards),
      phases: [
        { name: 'shard-kill', run: (ctx) => shardKill(ctx, { ...SHARD_KILL, victim: undefined }) },
      ],
    }),
  );
  return plans;
}
