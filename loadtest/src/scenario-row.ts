// The figures of one scenario against one target, as they go to latest.json, the terminal and
// the HTML page. One row type for every scenario: the headline columns mean the same thing
// everywhere (deliveries/s, publish-to-fan latency, loss, memory, CPU); scenario-specific
// figures ride in optional fields. Rounding happens here, once.

import type { TargetKind } from './dialect.js';
import type { Histogram } from './histogram.js';
import type { ProcessCpu } from './process-cpu.js';
import type { MemoryMethod } from './storm-memory.js';

export interface RampStep {
  /** Offered chat rate, msg/s, and what the senders managed. */
  ratePerSec: number;
  messagesPerSec: number;
  /** Deliveries a fan-out of every message to every fan would make, per second. */
  offeredPerSec: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  generatorCpu: number;
  serverCpu: number | null;
  disconnects: number;
  /** p99 within the objective, deliveries keeping up and no fan closed. */
  held: boolean;
}

/** Second votes of one kind: how many were sent, and how many were answered as they should be. */
export interface SecondVotes {
  sent: number;
  asExpected: number;
}

export interface ScenarioRow {
  name: string;
  target: TargetKind;
  /** Fans connected for the scenario. */
  fans: number;
  shards: number;
  deliveriesPerSec: number;
  /** Publish-to-fan latency (join-storm: join-to-welcome per fan); null when not measured. */
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  /**
   * Server RSS growth per connected fan, KiB; null when not measured. join-storm: between a full
   * collection before the first upgrade and one after the storm (`memory` says how it was read).
   */
  kibPerConn: number | null;
  /** join-storm: how `kibPerConn` was read and the V8 heap's part of it (storm-memory.ts). */
  memory?: {
    method: MemoryMethod;
    heapUsedKiBPerConn: number | null;
    heapTotalKiBPerConn: number | null;
    firstReadKiBPerConn: number | null;
  };
  lost: number;
  duplicated: number;
  reordered: number;
  /** All generators together / the servers together, % of one core. */
  generatorCpu: number;
  serverCpu: number | null;
  /**
   * What other processes used meanwhile, % of one core (host minus generators and servers):
   * above a few percent, something else on the machine competed with the run.
   */
  otherCpu?: number;
  /**
   * What the work cost the connection-holding processes (the shard; embedded: the engine; the
   * peers: their server), CPU-microseconds of their own CPU time (utime + stime from /proc) over
   * the window, per unit: per fan admitted (join-storm: upgrade, verify, welcome), per fan
   * resumed (resume-storm), per delivery (chat and reaction scenarios). Unlike the rates, a
   * saturated generator or a busy machine cannot hide these: they count only the server's work.
   */
  cpuUsPerJoin?: number | null;
  cpuUsPerResume?: number | null;
  /** resume-storm: the shard's CPU on the dropped sockets' closes, per socket, CPU-µs. */
  cpuUsPerClose?: number | null;
  cpuUsPerDelivery?: number | null;
  /**
   * join-storm: fans admitted per second: join + upgrade + welcome, or with tokens fetched
   * first, upgrade + welcome only (the shard's part); then `joinsPerSec` is the API's part.
   */
  connectPerSec?: number;
  joinsPerSec?: number;
  /**
   * join-storm with tokens fetched first, in a cluster: the API processes' CPU over the fetch
   * per join answered (event lookup, gateway choice, signing), CPU-µs.
   */
  apiCpuUsPerJoin?: number | null;
  connectFailed?: number;
  /**
   * join-storm with admission control: 503 answers met (joins and upgrades), attempts made again
   * after them, the arrival window (s, open loop), the admission setting, and the shard's
   * event-loop lag over the storm (its own metric), ms.
   */
  refused?: number;
  retries?: number;
  /** Attempts that failed with no HTTP answer (a reset, a timeout) and were retried after backoff. */
  failedAttempts?: number;
  /** Joins sent again at once after meeting a keep-alive socket the API had just closed. */
  staleSocketRetries?: number;
  withinS?: number;
  admission?: string;
  loopLagMaxMs?: number;
  loopLagP99Ms?: number;
  /** Chat scenarios: accepted messages per second; refusals; unasked-for closes. */
  messagesPerSec?: number;
  rejected?: number;
  disconnects?: number;
  /** reactions: taps per second, frames per fan per second, share of taps fans saw. */
  tapsPerSec?: number;
  framesPerFanPerSec?: number;
  tapsSeenRatio?: number;
  /** recovery: fans dropped and back, resume time (drop to new welcome), messages recovered. */
  dropped?: number;
  resumed?: number;
  resumeP50Ms?: number;
  resumeP99Ms?: number;
  recovered?: number;
  continuity?: Record<string, number>;
  /**
   * shard-kill: how the killed shard's fans came back, by path (`fallback`: their resume ticket
   * on the shard their newest grant named, no join call; `join`: through the API's join; `own`:
   * their own shard), and how many held a usable fallback when it died.
   */
  resumedVia?: Record<string, number>;
  fallbacksHeld?: number;
  /**
   * poll-burst (latency columns: per accepted vote, its `voted` to its fan's first tally that
   * reached it): first votes accepted, and per second from the burst's start to the last one.
   */
  votesAccepted?: number;
  votesPerSec?: number;
  /** Vote sent to its answer, p99, ms. */
  voteAnswerP99Ms?: number | null;
  /** Second votes: the same option (should be `voted` duplicate), another (`already_voted`). */
  duplicateVotes?: SecondVotes;
  changedVotes?: SecondVotes;
  /** Last accepted vote to the last fan's first tally with the final total, ms. */
  finalTallyMs?: number | null;
  /** Whether the result persisted at close equals the votes cast, option by option. */
  resultMatches?: boolean;
  /**
   * cluster: each process's CPU over the send window (% of one core: shards, API, NATS, Redis,
   * generators, the coordinator), each core's busy share (%), the CPU-µs per delivery of every
   * server process together (shards, API, NATS, Redis: cpuUsPerDelivery is the shards' alone)
   * and of the generators, their worst event-loop delay and send lag (ms), and the p99
   * objective the row is held to (heldObjective).
   */
  processCpu?: ProcessCpu[];
  coreBusy?: number[];
  serverCpuUsPerDelivery?: number | null;
  generatorCpuUsPerDelivery?: number | null;
  /**
   * cluster: text frames the fans received per second (chat, presence, every type), chat
   * messages per chat frame (above 1: the shards' batching merged messages that waited), and
   * the CPU-µs per frame of the server processes and of the generators: each frame is a socket
   * write on one side and a read on the other, the per-socket cost the kernel's loopback sets.
   */
  framesPerSec?: number;
  messagesPerChatFrame?: number | null;
  serverCpuUsPerFrame?: number | null;
  generatorCpuUsPerFrame?: number | null;
  generatorLoopLagMaxMs?: number;
  generatorSendLagMaxMs?: number;
  objectiveMs?: number;
  /**
   * embedded-idle: the embedded engine's VmRSS with nobody connected, MB (MiB: VmRSS kB / 1024),
   * once settled (or the last reading when it did not settle), every reading taken, whether it
   * settled, and start to ready, ms (embedded-idle.ts).
   */
  idleRssMB?: number;
  idleRssReadingsMB?: number[];
  idleRssSettled?: boolean;
  startupMs?: number;
  /** broadcast-max: the ramp behind it, and whether its best step held the objective. */
  steps?: RampStep[];
  heldObjective?: boolean;
  notes: string[];
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/**
 * CPU-microseconds per unit: `cpuSeconds` over a window divided by the `count` of work done in
 * it; null when the CPU was not read or nothing was done. /proc counts in 10 ms ticks, so a
 * window needs well over 1 s of CPU for two significant digits.
 */
export function cpuUsPer(cpuSeconds: number | undefined, count: number): number | null {
  if (cpuSeconds === undefined || count <= 0) return null;
  const us = (cpuSeconds * 1e6) / count;
  return round(us, us < 10 ? 2 : 0);
}

/** A row with nothing measured yet. */
export function emptyRow(
  name: string,
  target: TargetKind,
  shards: number,
  fans: number,
): ScenarioRow {
  return {
    name,
    target,
    fans,
    shards,
    deliveriesPerSec: 0,
    p50Ms: null,
    p99Ms: null,
    p999Ms: null,
    maxMs: null,
    kibPerConn: null,
    lost: 0,
    duplicated: 0,
    reordered: 0,
    generatorCpu: 0,
    serverCpu: null,
    notes: [],
  };
}

export interface LatencyColumns {
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

export function latencyColumns(h: Histogram): LatencyColumns {
  if (h.count === 0) return { p50Ms: null, p99Ms: null, p999Ms: null, maxMs: null };
  return {
    p50Ms: round(h.percentile(50)),
    p99Ms: round(h.percentile(99)),
    p999Ms: round(h.percentile(99.9)),
    maxMs: round(h.max),
  };
}

/** The other-processes CPU of a window, when the host and the servers were both read. */
export function otherCpuOf(w: {
  hostCpu: number | undefined;
  serverCpu: number | undefined;
  generatorCpu: number;
}): number | undefined {
  if (w.hostCpu === undefined || w.serverCpu === undefined) return undefined;
  return round(Math.max(0, w.hostCpu - w.serverCpu - w.generatorCpu), 1);
}

/** Other processes above this share of a core make a run's figures suspect. */
export const DISTURBED_OTHER_CPU = 15;

/** Sets `otherCpu` from a window, with a note when the machine was busy with something else. */
export function noteOtherCpu(
  row: ScenarioRow,
  w: { hostCpu: number | undefined; serverCpu: number | undefined; generatorCpu: number },
): void {
  const other = otherCpuOf(w);
  if (other === undefined) return;
  row.otherCpu = other;
  if (other > DISTURBED_OTHER_CPU) {
    row.notes.push(
      `other processes used ${Math.round(other)}% of a core meanwhile: figures disturbed`,
    );
  }
}

/** Generator CPU this close to a full core means the generator, not the server, set the pace. */
export const GENERATOR_SATURATED_CPU = 90;

/** A note when the generator was saturated, so nobody reads its limit as the server's. */
export function saturationNote(generatorCpu: number): string[] {
  return generatorCpu >= GENERATOR_SATURATED_CPU
    ? [
        `generator at ${Math.round(generatorCpu)}% of its core: figures are a lower bound for the server`,
      ]
    : [];
}

/** The note a phase gives the sockets the server closed (shard-kill names its kill's instead). */
export function serverClosesNote(disconnects: number): string {
  return `${disconnects} fans closed by the server`;
}
