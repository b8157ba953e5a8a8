// The messages between the load tester and its generator processes over the fork IPC channel
// (JSON). The parent drives the phases; each command gets exactly one reply with its id, or a
// failure. `send` and `react` may overlap (a ramp queues its next step before the last ends).
// Both ends are this package, so replies are trusted without validation.

import type { Arrival } from './admission-retry.js';
import type { TargetKind } from './dialect.js';
import type { PollTally } from '@fanfare/protocol';
import type { HistogramSnapshot } from './histogram.js';
import type { FanTallies } from './poll-figures.js';
import type { VoteShares } from './vote-plan.js';

/** What one worker runs: a contiguous slice of the fans, some of which also send. */
export interface WorkerPlan {
  workerIndex: number;
  apiUrl: string;
  eventId: string;
  /** Global index of this worker's first fan (fan names derive from it). */
  firstFan: number;
  fans: number;
  /** Global sender indices this worker runs; the i-th of them sends from its last fans, in order. */
  senders: number[];
  /** Messages per second per sender. */
  ratePerSender: number;
  /** Total senders over all workers, to stagger the senders' first sends evenly. */
  totalSenders: number;
  /** Joins plus upgrades in flight at once in this worker. */
  connectConcurrency: number;
  /** Bound on one fan's join, upgrade and welcome, ms. */
  fanConnectTimeoutMs: number;
  /** The kind of server, hence the dialect. */
  target: TargetKind;
  /** Fanfare: first connections with the join's token, not the join's resume ticket. */
  joinToken?: boolean;
  /**
   * WebSocket URLs of servers that hand out no per-fan URL (the peers): fan i connects to
   * serverUrls[i % length], except senders, which all use the first (one origin of seqs).
   * Empty for Fanfare, whose join answer names the shard.
   */
  serverUrls: string[];
  /** Source address of this worker's sockets (127.0.0.x), or undefined for the default. */
  localAddress: string | undefined;
  /**
   * Closed-loop connect: no fan starts after this (shared clock); the rest are counted as not
   * attempted, so a slow storm ends the phase on time instead of the run's time limit.
   */
  connectDeadlineMs?: number;
}

export type BenchCommand =
  /** Fanfare only: fetches every fan's token from the API first, so `connect` only upgrades. */
  | { kind: 'tokens'; id: number; plan: WorkerPlan }
  /** `arrival`: the open-loop schedule of `join-storm --within`; absent, the closed loop. */
  | { kind: 'connect'; id: number; plan: WorkerPlan; arrival?: Arrival }
  /**
   * `startAtMs` is on the shared clock (clock.ts), so every worker starts together.
   * `ratePerSender` overrides the plan's rate (ramp steps); `activeSenders` uses only the
   * senders whose global index is below it.
   */
  | {
      kind: 'send';
      id: number;
      startAtMs: number;
      durationMs: number;
      ratePerSender?: number;
      activeSenders?: number;
    }
  /** Every connected fan taps `tapsPerFanPerS` reactions per second. */
  | { kind: 'react'; id: number; startAtMs: number; durationMs: number; tapsPerFanPerS: number }
  /** Ends every running `send` and `react` now (they reply as if done). */
  | { kind: 'stop'; id: number }
  | { kind: 'poll'; id: number }
  | { kind: 'progress'; id: number }
  /**
   * Drops `fraction` of the connected fans abruptly and reconnects them with `?since=`, with
   * their resume tickets when `tickets` (else their tokens). With `resumeAtMs` (shared clock;
   * the resume storm) they reconnect at that instant instead of at once, so the shard's work on
   * the dropped sockets and on the resumes can be measured apart; their latency then counts
   * from it.
   */
  | {
      kind: 'drop';
      id: number;
      fraction: number;
      timeoutMs: number;
      tickets: boolean;
      resumeAtMs?: number;
    }
  /** shard-kill: how many of this generator's open fans, and of its senders, each shard holds. */
  | { kind: 'placement'; id: number }
  /**
   * shard-kill: the shard listening on `port` is killed at `killAtMs` (shared clock); each of
   * this generator's fans on it joins again through the API when its socket closes and resumes
   * from its last seq on the shard the API names. Replies once all are back, or `timeoutMs`
   * after the kill.
   */
  | { kind: 'shardLoss'; id: number; port: number; killAtMs: number; timeoutMs: number }
  /** Loss, duplicates and reorders so far, counting seqs up to `lastSeq` (the event's last). */
  | { kind: 'audit'; id: number; lastSeq: number }
  /** poll-burst: waits until every open fan has seen poll `pollId` open in a stage frame. */
  | { kind: 'pollSeen'; id: number; pollId: string; timeoutMs: number }
  /**
   * poll-burst: every open fan votes once from `startAtMs` (shared clock), evenly over
   * `spreadMs`, some a second time (vote-plan.ts); replies once every vote is answered or
   * `timeoutMs` after the window.
   */
  | {
      kind: 'vote';
      id: number;
      pollId: string;
      startAtMs: number;
      spreadMs: number;
      shares: VoteShares;
      timeoutMs: number;
    }
  /** poll-burst: waits until every open fan has a tally of `total` or more, then reports. */
  | { kind: 'tallies'; id: number; pollId: string; total: number; timeoutMs: number }
  /** `lastSeq`: the last seq the event published, for each fan's loss count. */
  | { kind: 'finish'; id: number; lastSeq?: number };

export type BenchCommandKind = BenchCommand['kind'];

export interface TokensResult {
  fetched: number;
  failed: number;
  firstFailure: string | undefined;
  elapsedMs: number;
  /** Joins refused with 503 (the API's budget), and joins made again after them. */
  refused?: number;
  retries?: number;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  /** The first failure's description, if any, for the report. */
  firstFailure: string | undefined;
  /** From the connect command to the last welcome, ms. */
  elapsedMs: number;
  /** Per fan, from the start of its join to its welcome, ms. */
  latency?: HistogramSnapshot;
  /** Failures by reason (HTTP status and X-Fanfare-Error, close code, error). */
  failures?: Record<string, number>;
  /** 503 answers met (joins and upgrades: admission control), and attempts made again after them. */
  refused?: number;
  /** Of those, the ones that carried a `Retry-After`. */
  withRetryAfter?: number;
  /** Attempts that failed without an HTTP answer (reset, timeout) or with a 5xx: backoff. */
  failedAttempts?: number;
  retries?: number;
  /** Joins sent again at once after meeting a keep-alive socket the API had closed. */
  staleRetries?: number;
  /** Fans never attempted: the plan's connect deadline came first. */
  notAttempted?: number;
}

export interface CpuFigures {
  userMs: number;
  systemMs: number;
  wallMs: number;
}

export interface SendResult {
  sent: number;
  /** Worst delay of a send behind its schedule, ms (the generator's own lag). */
  maxSendLagMs: number;
  /** This process's CPU over the send phase. */
  cpu: CpuFigures;
  /** Event-loop delay over the send phase, ms: a busy loop inflates measured latency. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface Progress {
  /** Bench messages received for the first time, over all of this worker's fans. */
  delivered: number;
  /** Shared-clock time of the last delivery, ms; 0 before any. */
  lastDeliveryAtMs: number;
  sent: number;
  acks: number;
  rejected: number;
}

/** What happened since the previous poll (counters are deltas, except the gauges). */
export interface IntervalStats {
  /** Shared-clock time of this poll, ms. */
  atMs: number;
  /** This process over the interval. */
  cpu: CpuFigures;
  /** Worst event-loop delay in the interval, ms. */
  loopDelayMaxMs: number;
  delivered: number;
  latency: HistogramSnapshot;
  sent: number;
  rejected: number;
  taps: number;
  reactionFrames: number;
  /** Sum of the counts in reaction frames received, over all fans. */
  tapsSeen: number;
  /** Sockets that closed without being asked to, in the interval. */
  disconnects: number;
  /** Text frames received (every type), and the chat ones among them; optional for old peers. */
  frames?: number;
  chatFrames?: number;
  /** Gauges: fans open now, and the highest seq any fan has seen. */
  connected: number;
  maxSeq: number;
}

/** Cumulative delivery audit of the fans open now. */
export interface AuditResult {
  /** Seqs up to the event's last that open fans never saw, summed over fans. */
  lost: number;
  duplicates: number;
  reordered: number;
  recovered: number;
  live: number;
}

/** The outcome of a `drop`: how many came back, how fast and with what continuity. */
export interface RecoveryResult {
  dropped: number;
  resumed: number;
  failed: number;
  firstFailure: string | undefined;
  /** Welcome continuities of the reconnected fans (`resumed`, `lost`, `fresh`). */
  continuity: Record<string, number>;
  /** From the drop (or the command's `resumeAtMs`) to the welcome of the new session, ms. */
  latency: HistogramSnapshot;
  /** Messages the fans had missed and got back in the resume snapshot. */
  recovered: number;
}

/** Open fans, and senders among them, by the port of the shard they are connected to. */
export interface Placement {
  fans: Record<string, number>;
  senders: Record<string, number>;
}

/** A `shardLoss`: the recovery figures, timed from the kill, and how the rejoins went. */
export interface ShardLossResult extends RecoveryResult {
  /** Senders among the fans the kill dropped (they send nothing while away). */
  senders: number;
  /** Joins answered with the killed shard's URL, and the last such answer after the kill, ms. */
  deadShardJoins: number;
  /** Of those, joins of a fan that had already failed to reach the killed shard (0 expected). */
  deadShardJoinsAfterFailure: number;
  lastDeadShardJoinMs: number | undefined;
  /** 503s met (joins and upgrades), failures without an answer, attempts made again. */
  refused: number;
  failedAttempts: number;
  retries: number;
  /** Failed attempts (joins and upgrades) by reason. */
  attemptFailures: Record<string, number>;
  /** Kill-to-welcome times by the port of the shard each fan came back on. */
  landed: Record<string, HistogramSnapshot>;
  /** Fans that held a resume ticket, and a usable fallback shard with it, when their shard went. */
  held: { tickets: number; fallbacks: number };
  /** Kill-to-welcome times by the path that brought each fan back (their counts: how many). */
  paths: Record<RejoinPath, HistogramSnapshot>;
  /**
   * Per fan back, ms: the kill to its first attempt (the socket's close, then a free slot of the
   * connect concurrency); its ticket's attempt on its own shard, to its failure (fans that held
   * one); its last join's call to its answer (fans back by a join); and from the start of the
   * connection that led to the welcome (the fallback's, or the one after the join's answer) to
   * the welcome.
   */
  stages: {
    wait: HistogramSnapshot;
    own: HistogramSnapshot;
    join: HistogramSnapshot;
    upgrade: HistogramSnapshot;
  };
}

/**
 * How a killed shard's fan came back, as the SDK tries them: `own`, its resume ticket on its own
 * shard (not after a kill); `fallback`, the same ticket on the shard its newest grant named, with
 * no join call; `join`, through the API's join and the shard it named.
 */
export type RejoinPath = 'own' | 'fallback' | 'join';

export interface PollSeenResult {
  /** Fans that saw the poll open, and fans open now. */
  seen: number;
  live: number;
  /** Open fans by the shard (gateway host:port) they are connected to. */
  byShard: Record<string, number>;
  elapsedMs: number;
}

/** One generator's votes. Outcomes: `accepted`, `duplicate`, an error code, or `unanswered`. */
export interface VoteResult {
  /** First votes sent. */
  sent: number;
  /** First votes accepted, per option. */
  cast: number[];
  /** How the first votes were answered. */
  first: Record<string, number>;
  /** How the second votes were answered, of fans whose first was accepted: same option, another. */
  same: Record<string, number>;
  other: Record<string, number>;
  /** Shared-clock time the last accepted first vote was answered, ms; 0 without any. */
  lastAcceptedAtMs: number;
  /** Per first vote answered: sent to answered, ms. */
  latency: HistogramSnapshot;
  /** The pacing of the first votes (this process's CPU over the window). */
  send: SendResult;
}

export interface TalliesResult {
  /** Per fan of this generator: its accepted vote's time and the tallies it saw. */
  fans: FanTallies[];
  /** The tally with the highest version any fan here received. */
  last: PollTally | undefined;
  /** Whether every open fan reached the total before the timeout. */
  complete: boolean;
  elapsedMs: number;
}

export interface WorkerReport extends Progress {
  workerIndex: number;
  fans: number;
  duplicates: number;
  reordered: number;
  /** Chat not written by a bench sender. */
  foreign: number;
  /** Frames received by type, chat included; `unreadable` for frames no server message fits. */
  frames: Record<string, number>;
  /** Error frames by code, and the first message seen per code. */
  errors: Record<string, number>;
  errorMessages: Record<string, string>;
  /** Sockets that closed before the bench closed them, by close code. */
  disconnects: Record<string, number>;
  /** Frames that needed a full JSON.parse, and why the byte scan was switched off if it was. */
  slowFrames: number;
  fastPathOff: string | undefined;
  latency: HistogramSnapshot;
  /** With `finish.lastSeq`: seqs up to it that connected fans never saw, summed over fans. */
  lost?: number;
  /** Fans open at the end. */
  connectedAtEnd?: number;
  /** Messages received through resume snapshots rather than live. */
  recovered?: number;
}

export interface ReplyByCommand {
  tokens: TokensResult;
  connect: ConnectResult;
  send: SendResult;
  react: SendResult;
  stop: Record<string, never>;
  poll: IntervalStats;
  progress: Progress;
  drop: RecoveryResult;
  placement: Placement;
  shardLoss: ShardLossResult;
  audit: AuditResult;
  pollSeen: PollSeenResult;
  vote: VoteResult;
  tallies: TalliesResult;
  finish: WorkerReport;
}

export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'reply'; id: number; result: ReplyByCommand[BenchCommandKind] }
  | { kind: 'failed'; id: number; message: string };
