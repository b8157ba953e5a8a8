// One target under load: its servers (started here on the server core, or attached), the
// generator processes (on the other core), and the fans they connect. Scenarios run as phases
// on an open session; the connect itself is the join storm. Everything it started is stopped by
// close(), on every way out.

import type { Arrival } from './admission-retry.js';
import { nowMs } from './clock.js';
import type { TargetKind } from './dialect.js';
import { FanWorkerHandle, pinProcess } from './fan-worker-handle.js';
import type { CommandBody } from './fan-worker-handle.js';
import { JoinClient } from './join-client.js';
import type { MeterSource } from './phase-meter.js';
import { readCpuSeconds, settledRssKiB } from './proc-stats.js';
import type { DrainResult } from './report.js';
import { attachFanfare, startTarget } from './target-servers.js';
import type { RunningTarget } from './target-servers.js';
import { loopbackSources, splitWork } from './work-split.js';
import type {
  AuditResult,
  BenchCommandKind,
  ConnectResult,
  IntervalStats,
  Progress,
  ReplyByCommand,
  TokensResult,
  WorkerPlan,
} from './worker-messages.js';

/** Core the servers run on, and the one the generators share (with this process). */
export const SERVER_CPU = 1;
export const GENERATOR_CPU = 0;
/**
 * Connections one source address can hold to one server address (net.ipv4.ip_local_port_range
 * is 32768-60999 by default), with a margin. Past it every generator binds its own 127.0.0.x;
 * below it none does, because binding a source address makes the kernel search for a free port
 * on every connect (~80 us each here, a third of the generator's connect cost).
 */
export const EPHEMERAL_PORTS_PER_SOURCE = 25_000;
/** Bound on one fan's join, upgrade and welcome, ms. */
const FAN_CONNECT_TIMEOUT_MS = 20_000;
/** The whole connect phase: a base plus a share per fan, ms. */
const CONNECT_PHASE_BASE_MS = 30_000;
const CONNECT_PHASE_PER_FAN_MS = 5;
/** Bound on a poll, audit or progress answer, and on a final report, ms. */
const ANSWER_TIMEOUT_MS = 10_000;
const FINISH_TIMEOUT_MS = 20_000;
/** Drain: ends when deliveries reach the expected count, stop for QUIET, or after MAX, ms. */
const DRAIN_MAX_MS = 5000;
const DRAIN_QUIET_MS = 1000;
const DRAIN_POLL_MS = 200;

export interface SessionOptions {
  target: TargetKind;
  /** Fanfare shards or Socket.IO processes. */
  shards: number;
  fans: number;
  /** Generator processes. */
  workers: number;
  /** Fans that may send chat (the first ones of each worker). */
  senders: number;
  /** Default chat rate over all senders, msg/s. */
  ratePerS: number;
  eventId: string;
  /** A Fanfare engine already running; undefined to start the target here. */
  targetApi: string | undefined;
  /** Extra environment for a Fanfare engine started here. */
  engineEnv: Record<string, string>;
  /** Pin servers and generators to separate cores. */
  pin: boolean;
  /** Joins plus upgrades in flight over all generators. */
  connectConcurrency: number;
  /** Fanfare: fetch all tokens first, so the join storm measures the shard's upgrades alone. */
  prefetchTokens: boolean;
  /** Fanfare: first connections with the join's token, not its ticket. */
  joinToken?: boolean;
  /** Fanfare: API and shards as separate processes (on NATS and Redis) even for one shard. */
  cluster?: boolean;
  /** With `targetApi`: a producer's staff token for the control API (poll-burst). */
  producerToken?: string;
  /** join-storm: every fan arrives within this many seconds (open loop). */
  withinS?: number | undefined;
  /** Admission control of an engine started here: on, off, or a shard budget (for the report). */
  admission?: string;
  /**
   * Each generator binds its own source address (127.0.0.2, ...) whatever the fan count (by
   * default only past EPHEMERAL_PORTS_PER_SOURCE fans): a small run then takes the same path
   * as the large one it stands in for.
   */
  sourceAddresses?: boolean;
  /** Closed-loop connect: no fan starts after this many seconds; the session goes on without them. */
  connectLimitS?: number;
  /** Fanfare cluster: each shard's SHARD_CAPACITY; by default its share of the fans plus 10 %. */
  shardCapacity?: number;
}

export class RunSession implements MeterSource {
  readonly options: SessionOptions;
  readonly target: RunningTarget;
  readonly workers: FanWorkerHandle[];
  /** Server RSS before any fan, KiB (undefined when not measurable). */
  readonly rssBeforeKiB: number | undefined;

  private constructor(
    options: SessionOptions,
    target: RunningTarget,
    workers: FanWorkerHandle[],
    rssBeforeKiB: number | undefined,
  ) {
    this.options = options;
    this.target = target;
    this.workers = workers;
    this.rssBeforeKiB = rssBeforeKiB;
  }

  /** Starts (or attaches to) the target and the generators; `track` learns each for cleanup. */
  static async open(
    options: SessionOptions,
    cwd: string,
    track: (closeable: { close(): Promise<void> }) => void,
  ): Promise<RunSession> {
    const cpu = options.pin ? SERVER_CPU : undefined;
    let target: RunningTarget;
    if (options.targetApi === undefined) {
      target = await startTarget(
        {
          kind: options.target,
          shards: options.shards,
          env: options.engineEnv,
          cpu,
          // Headroom: the API's count of fans per shard runs ahead of the shards' own reports.
          shardCapacity:
            options.shardCapacity ?? Math.ceil((options.fans / options.shards) * 1.1) + 20,
          cluster: options.cluster === true,
        },
        cwd,
      );
    } else {
      const probe = new JoinClient(options.targetApi, 1);
      const grant = await probe
        .join(options.eventId, ANSWER_TIMEOUT_MS)
        .finally(() => probe.close());
      target = await attachFanfare(
        options.targetApi,
        grant.gatewayUrl,
        options.shards,
        options.producerToken,
      );
    }
    track(target);
    if (options.pin) pinProcess(process.pid, GENERATOR_CPU);
    const rssBefore = await sumRss(await target.connectionPids());
    const workers = await Promise.all(
      Array.from({ length: options.workers }, async (_, i) => {
        const worker = await FanWorkerHandle.start(i, cwd, options.pin ? GENERATOR_CPU : undefined);
        track(worker);
        return worker;
      }),
    );
    return new RunSession(options, target, workers, rssBefore?.kib);
  }

  /** Each worker's share of the fans. */
  plans(): WorkerPlan[] {
    const { options, target } = this;
    return splitWork(
      { ...options, durationS: 1, targetApi: options.targetApi },
      {
        apiUrl: target.apiUrl || (options.targetApi ?? ''),
        totalConnectConcurrency: options.connectConcurrency,
        joinToken: options.joinToken === true,
        fanConnectTimeoutMs: FAN_CONNECT_TIMEOUT_MS,
        target: options.target,
        serverUrls: target.serverUrls,
        localAddresses:
          options.fans > EPHEMERAL_PORTS_PER_SOURCE || options.sourceAddresses === true
            ? loopbackSources(options.workers)
            : [],
      },
    );
  }

  /** Fetches every fan's token from the API ahead of the upgrades (Fanfare only). */
  async tokens(): Promise<TokensResult[]> {
    const plans = this.plans();
    return await Promise.all(
      this.workers.map((w, i) =>
        w.request('tokens', { plan: plans[i]! }, this.#connectTimeoutMs()),
      ),
    );
  }

  /**
   * Connects every fan (the join storm); resolves with each worker's result. With `arrival`,
   * open loop: each fan starts at its place in the window, whatever the others are doing.
   */
  async connect(arrival?: Arrival): Promise<ConnectResult[]> {
    const limitS = arrival === undefined ? this.options.connectLimitS : undefined;
    const stopAtMs = limitS === undefined ? undefined : nowMs() + limitS * 1000;
    const plans = this.plans().map((p) =>
      stopAtMs === undefined ? p : { ...p, connectDeadlineMs: stopAtMs },
    );
    const timeoutMs =
      arrival !== undefined
        ? arrival.deadlineMs - nowMs() + FAN_CONNECT_TIMEOUT_MS + ANSWER_TIMEOUT_MS
        : stopAtMs !== undefined
          ? // The limit bounds the phase: the last fans started by then, plus their own bound.
            stopAtMs - nowMs() + FAN_CONNECT_TIMEOUT_MS * 2 + ANSWER_TIMEOUT_MS
          : this.#connectTimeoutMs();
    return await Promise.all(
      this.workers.map((w, i) =>
        w.request('connect', { plan: plans[i]!, ...(arrival ? { arrival } : {}) }, timeoutMs),
      ),
    );
  }

  #connectTimeoutMs(): number {
    return CONNECT_PHASE_BASE_MS + this.options.fans * CONNECT_PHASE_PER_FAN_MS;
  }

  /** Sends the same command to every worker and collects the replies. */
  async all<K extends BenchCommandKind>(
    kind: K,
    body: CommandBody<K>,
    timeoutMs = ANSWER_TIMEOUT_MS,
  ): Promise<ReplyByCommand[K][]> {
    return await Promise.all(this.workers.map((w) => w.request(kind, body, timeoutMs)));
  }

  async poll(): Promise<IntervalStats[]> {
    return await this.all('poll', {});
  }

  async audit(lastSeq: number): Promise<AuditResult> {
    const answers = await this.all('audit', { lastSeq });
    const sum = (pick: (a: AuditResult) => number): number =>
      answers.reduce((total, a) => total + pick(a), 0);
    return {
      lost: sum((a) => a.lost),
      duplicates: sum((a) => a.duplicates),
      reordered: sum((a) => a.reordered),
      recovered: sum((a) => a.recovered),
      live: sum((a) => a.live),
    };
  }

  /**
   * Waits until `expected` deliveries have arrived (when given), deliveries stop for
   * DRAIN_QUIET_MS, or `maxMs` passed. Returns the last progress seen too.
   */
  async drain(
    expected: number | undefined,
    maxMs = DRAIN_MAX_MS,
  ): Promise<{ drain: DrainResult; progress: Progress }> {
    const started = nowMs();
    let last = -1;
    let lastChange = started;
    let progress: Progress = { delivered: 0, lastDeliveryAtMs: 0, sent: 0, acks: 0, rejected: 0 };
    for (;;) {
      const answers = await this.all('progress', {});
      progress = {
        delivered: answers.reduce((s, p) => s + p.delivered, 0),
        lastDeliveryAtMs: Math.max(...answers.map((p) => p.lastDeliveryAtMs)),
        sent: answers.reduce((s, p) => s + p.sent, 0),
        acks: answers.reduce((s, p) => s + p.acks, 0),
        rejected: answers.reduce((s, p) => s + p.rejected, 0),
      };
      const now = nowMs();
      if (expected !== undefined && progress.delivered >= expected) {
        return { drain: { ms: now - started, end: 'complete' }, progress };
      }
      if (progress.delivered !== last) {
        last = progress.delivered;
        lastChange = now;
      } else if (now - lastChange >= DRAIN_QUIET_MS) {
        return { drain: { ms: now - started, end: 'quiet' }, progress };
      }
      if (now - started >= maxMs) return { drain: { ms: now - started, end: 'limit' }, progress };
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  async serverCpuSeconds(): Promise<number | undefined> {
    return await sumCpu(await this.target.serverPids());
  }

  /** CPU seconds of the connection-holding processes: the shards (embedded: the engine). */
  async shardCpuSeconds(): Promise<number | undefined> {
    return await sumCpu(await this.target.connectionPids());
  }

  /** CPU seconds of the API processes (a cluster only); undefined when there are none. */
  async apiCpuSeconds(): Promise<number | undefined> {
    return await sumCpu(await this.target.apiPids());
  }

  /** RSS of the connection-holding servers once settled, KiB. */
  async serverRss(): Promise<{ kib: number; settled: boolean } | undefined> {
    return await sumRss(await this.target.connectionPids());
  }

  /** Final reports (which close the fans), then everything stops. */
  async finish(lastSeq: number | undefined): Promise<ReplyByCommand['finish'][]> {
    return await this.all('finish', lastSeq === undefined ? {} : { lastSeq }, FINISH_TIMEOUT_MS);
  }
}

/** CPU seconds `pids` have used so far together; undefined when there are none or one vanished. */
async function sumCpu(pids: number[]): Promise<number | undefined> {
  if (pids.length === 0) return undefined;
  try {
    const seconds = await Promise.all(pids.map(readCpuSeconds));
    return seconds.reduce((a, b) => a + b, 0);
  } catch {
    return undefined; // A server went away mid-read; this sample is simply not taken.
  }
}

async function sumRss(pids: number[]): Promise<{ kib: number; settled: boolean } | undefined> {
  if (pids.length === 0) return undefined;
  try {
    const readings = await Promise.all(pids.map((pid) => settledRssKiB(pid)));
    return {
      kib: readings.reduce((s, r) => s + r.rssKiB, 0),
      settled: readings.every((r) => r.settled),
    };
  } catch {
    return undefined; // Not readable (another user's process): memory is not reported.
  }
}
