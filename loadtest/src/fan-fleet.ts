// The fans one generator process runs over the raw WebSocket client: it joins and connects them
// (Fanfare: token from the API, then the shard it names; the peers: their URL), paces the
// senders' chat and the fans' taps, drops and resumes fans for the recovery scenario, has them
// vote for poll-burst (fan-votes.ts), and reports counters as interval deltas (poll) and a final
// report. Every wait is bounded.

import { setTimeout as delay } from 'node:timers/promises';
import { encodeClientMessage } from '@fanfare/protocol';
import { encodeBenchText } from './bench-text.js';
import { nowMs } from './clock.js';
import { dialectFor } from './dialect.js';
import type { Dialect } from './dialect.js';
import { FanReceiver } from './fan-receiver.js';
import type { Fan } from './fan-receiver.js';
import { FanVotes } from './fan-votes.js';
import type { VoteOrder } from './fan-votes.js';
import { forEachLimit } from './for-each-limit.js';
import { Histogram } from './histogram.js';
import { arrivalAtMs, retryWhileRefused } from './admission-retry.js';
import type { Arrival, RetryCounts } from './admission-retry.js';
import { FanConnector, endpoint } from './fan-connector.js';
import type { Endpoint } from './fan-connector.js';
import { Pacer } from './fan-pacer.js';
import type { JoinGrant } from './join-client.js';
import { IntervalMeter } from './interval-meter.js';
import { ShardLoss, placementOf } from './shard-loss.js';
import type { ShardLossOrder } from './shard-loss.js';
import type { AuditResult, ConnectResult, IntervalStats, Placement } from './worker-messages.js';
import type { PollSeenResult, Progress, RecoveryResult, SendResult } from './worker-messages.js';
import type { ShardLossResult, TalliesResult, TokensResult } from './worker-messages.js';
import type { VoteResult, WorkerPlan, WorkerReport } from './worker-messages.js';

/** How long closing all sockets may take before the rest are dropped, ms. */
const CLOSE_TIMEOUT_MS = 3000;
/** Refused fans retry until this many single-attempt bounds after the connect began. */
const RETRY_DEADLINE_FACTOR = 6;
/** The tap every fan sends in the reactions scenario. */
const TAP_EMOJI = '🔥';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FanFleet {
  readonly #plan: WorkerPlan;
  readonly #dialect: Dialect;
  readonly #receiver: FanReceiver;
  readonly #fans: Fan[] = [];
  readonly #senders: Fan[] = [];
  readonly #connector: FanConnector;
  readonly #pacer = new Pacer();
  readonly #votes: FanVotes;
  /** Tokens fetched ahead of the connect, by the fan's place in the plan. */
  readonly #grants: (JoinGrant | undefined)[] = [];
  #connected = false;
  readonly #intervals = new IntervalMeter();
  #sent = 0;
  #taps = 0;
  #closing = false;

  constructor(plan: WorkerPlan) {
    this.#plan = plan;
    this.#dialect = dialectFor(plan.target);
    this.#receiver = new FanReceiver(this.#dialect);
    this.#connector = new FanConnector(plan, this.#dialect, this.#receiver);
    this.#votes = new FanVotes(this.#receiver, this.#dialect, this.#pacer, () => this.#fans);
    this.#receiver.polls = this.#votes;
  }

  /** Fetches every fan's token from the API (Fanfare), so that connect() only upgrades. */
  async tokens(): Promise<TokensResult> {
    const joins = this.#connector.joins;
    if (joins === undefined) throw new Error('only Fanfare hands out tokens');
    const started = nowMs();
    let failed = 0;
    let firstFailure: string | undefined;
    const counts: RetryCounts = { refused: 0, retries: 0 };
    await forEachLimit(this.#plan.fans, this.#plan.connectConcurrency, async (i) => {
      try {
        this.#grants[i] = await retryWhileRefused(
          () => joins.join(this.#plan.eventId, this.#plan.fanConnectTimeoutMs),
          this.#retryDeadline(),
          counts,
        );
      } catch (error) {
        failed++;
        firstFailure ??= describe(error);
      }
    });
    const fetched = this.#plan.fans - failed;
    return { fetched, failed, firstFailure, elapsedMs: nowMs() - started, ...counts };
  }

  /**
   * Joins (unless tokens() ran) and connects every fan of the plan; resolves once each has its
   * welcome or failed.
   */
  async connect(arrival?: Arrival): Promise<ConnectResult> {
    if (this.#connected) throw new Error('already connected');
    this.#connected = true;
    const started = nowMs();
    const latency = new Histogram();
    const failures: Record<string, number> = {};
    let failed = 0;
    let firstFailure: string | undefined;
    const counts: RetryCounts = { refused: 0, retries: 0 };
    const peers = this.#plan.serverUrls.map(endpoint);
    const stopAtMs = arrival === undefined ? this.#plan.connectDeadlineMs : undefined;
    let notAttempted = 0;
    // Closed loop (so many in flight at once), or open loop: each fan at its arrival time.
    const each = async (i: number): Promise<void> => {
      const index = this.#plan.firstFan + i;
      if (stopAtMs !== undefined && nowMs() > stopAtMs) {
        notAttempted++;
        return;
      }
      if (arrival !== undefined) await delay(Math.max(0, arrivalAtMs(arrival, index) - nowMs()));
      const peer = peers[index % Math.max(1, peers.length)];
      const fan: Fan = {
        index,
        sender: -1,
        host: peer?.host ?? '',
        port: peer?.port ?? 0,
        path: peer?.path ?? '',
        token: undefined,
        ticket: undefined,
        fallbackUrl: undefined,
        ws: undefined,
        seq: undefined,
        epoch: undefined,
        welcome: undefined,
        live: false,
        leaving: false,
        sent: 0,
      };
      const grant = this.#grants[i];
      if (grant !== undefined) this.#connector.useGrant(fan, grant);
      this.#grants[i] = undefined;
      const t0 = nowMs();
      try {
        // From the first attempt to the welcome, refusals and their waits included.
        await retryWhileRefused(
          () => this.#connector.open(fan, undefined),
          arrival?.deadlineMs ?? this.#retryDeadline(),
          counts,
        );
        latency.record(nowMs() - t0);
        this.#fans.push(fan);
      } catch (error) {
        failed++;
        const reason = describe(error);
        firstFailure ??= `fan ${index}: ${reason}`;
        const key = reason.replace(/\d{4,}/g, 'N').slice(0, 80);
        failures[key] = (failures[key] ?? 0) + 1;
      }
    };
    if (arrival === undefined) {
      await forEachLimit(this.#plan.fans, this.#plan.connectConcurrency, each);
    } else {
      await Promise.all(Array.from({ length: this.#plan.fans }, (_, i) => each(i)));
    }
    this.#chooseSenders(peers[0]);
    return {
      connected: this.#fans.length,
      failed,
      firstFailure,
      elapsedMs: nowMs() - started,
      latency: latency.snapshot(),
      failures,
      ...counts,
      staleRetries: this.#connector.joins?.staleRetries ?? 0,
      notAttempted,
    };
  }

  /**
   * Sends chat from `startAtMs` (shared clock) for `durationMs`, each sender at `ratePerSender`
   * (the plan's by default), using the senders whose global index is below `activeSenders`.
   */
  async send(
    startAtMs: number,
    durationMs: number,
    ratePerSender?: number,
    activeSenders?: number,
  ): Promise<SendResult> {
    const senders =
      activeSenders === undefined
        ? this.#senders
        : this.#senders.filter((fan) => fan.sender < activeSenders);
    const rate = (ratePerSender ?? this.#plan.ratePerSender) * senders.length;
    const first = this.#plan.senders[0] ?? 0;
    let j = 0;
    const phase = first / this.#plan.totalSenders;
    return await this.#pacer.stream(startAtMs, durationMs, rate, phase, () => {
      const fan = senders[j++ % senders.length]!;
      if (fan.ws === undefined || !fan.live) return false;
      const n = fan.sent++;
      const text = encodeBenchText(nowMs(), fan.sender, n);
      const json = encodeClientMessage({ type: 'chat.send', text, ref: n.toString(36) });
      fan.ws.send(this.#dialect.wrap('chat.send', json));
      this.#sent++;
      return true;
    });
  }

  /** Every live fan taps `tapsPerFanPerS` times a second, spread evenly over the fans. */
  async react(startAtMs: number, durationMs: number, tapsPerFanPerS: number): Promise<SendResult> {
    const fans = this.#fans;
    const json = encodeClientMessage({ type: 'react', emoji: TAP_EMOJI });
    const frame = this.#dialect.wrap('react', json);
    let j = 0;
    return await this.#pacer.stream(startAtMs, durationMs, tapsPerFanPerS * fans.length, 0, () => {
      const fan = fans[j++ % fans.length]!;
      if (fan.ws === undefined || !fan.live) return false;
      fan.ws.send(frame);
      this.#taps++;
      return true;
    });
  }

  /** poll-burst: waits until every open fan has seen poll `pollId` open. */
  async pollSeen(pollId: string, timeoutMs: number): Promise<PollSeenResult> {
    return await this.#votes.pollSeen(pollId, timeoutMs);
  }

  /** poll-burst: every open fan votes (fan-votes.ts). */
  async vote(order: VoteOrder): Promise<VoteResult> {
    return await this.#votes.vote(order);
  }

  /** poll-burst: what each fan saw of the tallies, once all reached `total` (or the timeout). */
  async tallies(pollId: string, total: number, timeoutMs: number): Promise<TalliesResult> {
    return await this.#votes.tallies(pollId, total, timeoutMs);
  }

  /** Ends every running send and react loop now. */
  stop(): void {
    this.#pacer.stopAll();
  }

  /** Counters since the previous poll; latency moves into the run's histogram. */
  poll(): IntervalStats {
    return this.#intervals.poll(this.#receiver, this.#sent, this.#taps);
  }

  progress(): Progress {
    const s = this.#receiver.stats;
    return {
      delivered: s.delivered,
      lastDeliveryAtMs: s.lastDeliveryAtMs,
      sent: this.#sent,
      acks: s.acks,
      rejected: s.rejected,
    };
  }

  /**
   * Drops `fraction` of the live fans without a close frame (as a network loss looks), then
   * reconnects each with `?since=<last seq it saw>` (and its resume ticket when `tickets`, as
   * the SDK does, else its token) and waits for the new welcomes; at `resumeAtMs` when given.
   */
  async drop(
    fraction: number,
    timeoutMs: number,
    tickets: boolean,
    resumeAtMs?: number,
  ): Promise<RecoveryResult> {
    if (this.#plan.target !== 'fanfare') throw new Error('recovery needs Fanfare (resume by seq)');
    const live = this.#fans.filter((fan) => fan.live && fan.sender < 0);
    const stride = Math.max(1, Math.round(1 / fraction));
    return await this.#connector.dropAndResume(
      live.filter((_, i) => i % stride === 0),
      timeoutMs,
      tickets,
      resumeAtMs,
    );
  }

  /** shard-kill: open fans and senders by shard. */
  placement(): Placement {
    return placementOf(this.#fans);
  }

  /** shard-kill: the fans of the shard killed at the order's time rejoin and resume (shard-loss.ts). */
  async shardLoss(order: ShardLossOrder): Promise<ShardLossResult> {
    const loss = new ShardLoss(this.#plan, this.#fans, this.#receiver, this.#connector, order);
    return await loss.run();
  }

  audit(lastSeq: number): AuditResult {
    const s = this.#receiver.stats;
    let lost = 0;
    for (const fan of this.#fans) if (fan.live && fan.seq) lost += fan.seq.lostUpTo(lastSeq);
    return {
      lost,
      duplicates: s.duplicates,
      reordered: s.reordered,
      recovered: this.#receiver.recovered,
      live: this.#receiver.live,
    };
  }

  /**
   * Why deliveries are short, for a failing check: the open fans missing seqs up to `lastSeq`,
   * each as `fan index: lost (last seq seen)`, at most `limit` of them.
   */
  shortFans(lastSeq: number, limit = 10): string[] {
    const short: string[] = [];
    this.#fans.forEach((fan, i) => {
      const lost = fan.live && fan.seq ? fan.seq.lostUpTo(lastSeq) : 0;
      if (lost > 0 || !fan.live) {
        short.push(`${i}: ${fan.live ? `lost ${lost}, last seq ${fan.seq?.last}` : 'closed'}`);
      }
    });
    const codes = this.#receiver.disconnectReasons;
    return [...short.slice(0, limit), ...(codes.length > 0 ? [`closes: ${codes.join(', ')}`] : [])];
  }

  report(lastSeq: number | undefined): WorkerReport {
    const r = this.#receiver;
    const s = r.stats;
    const latency = this.#intervals.runLatency(r);
    const lost = lastSeq === undefined ? 0 : this.audit(lastSeq).lost;
    return {
      ...this.progress(),
      workerIndex: this.#plan.workerIndex,
      fans: this.#fans.length,
      duplicates: s.duplicates,
      reordered: s.reordered,
      foreign: s.foreign,
      frames: { ...s.frames, reactions: r.reactionFrames },
      errors: { ...s.errors },
      errorMessages: { ...s.errorMessages },
      disconnects: { ...r.disconnects },
      slowFrames: r.reader.slowFrames,
      fastPathOff: r.reader.fastPathOff,
      latency,
      lost,
      connectedAtEnd: r.live,
      recovered: r.recovered,
    };
  }

  /** Closes every socket with 1000, waiting at most CLOSE_TIMEOUT_MS before dropping the rest. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.stop();
    for (const fan of this.#fans) {
      fan.leaving = true;
      fan.ws?.close(1000);
    }
    const deadline = nowMs() + CLOSE_TIMEOUT_MS;
    while (this.#receiver.live > 0 && nowMs() < deadline) await delay(50);
    this.terminate();
  }

  /** Drops every socket at once; for exits that cannot wait. */
  terminate(): void {
    this.#closing = true;
    this.stop();
    for (const fan of this.#fans) {
      fan.leaving = true;
      fan.ws?.destroy();
    }
    this.#connector.close();
    this.#intervals.close();
  }

  /**
   * Closed loop: a fan's retries end this long after its own first attempt, however long the
   * storm before it took (a deadline from the storm's start left the last fans of a long storm
   * no retry at all: 11 of 60,000 failed so).
   */
  #retryDeadline(): number {
    const own = nowMs() + this.#plan.fanConnectTimeoutMs * RETRY_DEADLINE_FACTOR;
    const stop = this.#plan.connectDeadlineMs;
    // With a connect limit, no retry starts past one fan's bound after it.
    return stop === undefined ? own : Math.min(own, stop + this.#plan.fanConnectTimeoutMs);
  }

  /**
   * Makes the plan's senders of the last fans that connected (the first ones met the server at
   * its busiest), in global sender order. With several peer processes, only fans of the first
   * one send: one process numbers every message.
   */
  #chooseSenders(origin: Endpoint | undefined): void {
    this.#fans.sort((a, b) => a.index - b.index);
    const eligible = this.#fans.filter(
      (fan) => origin === undefined || (fan.port === origin.port && fan.host === origin.host),
    );
    const chosen = eligible.slice(-this.#plan.senders.length);
    chosen.forEach((fan, k) => {
      fan.sender = this.#plan.senders[k]!;
      this.#senders.push(fan);
    });
  }
}
