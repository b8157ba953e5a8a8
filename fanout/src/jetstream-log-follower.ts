// One event's live feed in one process: an ephemeral, unacked, in-memory pull consumer with its
// own cursor, replaced (from the cursor) whenever it is lost, skips, or fails to start. Written
// instead of nats.js's ordered consumer because that one cannot start by time and, in 3.4,
// starves after recreating itself (it keeps the old pull's outstanding count). Trade-off: the
// consumer is per process, so every shard following an event holds one on the server. Each
// entry carries the epoch of the stream it came from; a stream recreated under the follower is a
// new history, followed from its first retained entry.

import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import type { Clock, TimerHandle } from './clock.js';
import type { LogEntry } from './event-log.js';
import type { LogBounds } from './jetstream-log-streams.js';
import type { Logger } from './logger.js';

/**
 * How far before follow() a new follower starts, by the server's clock, ms. A follower starts
 * with the first entry the server stamped at or after (follow() time − this), so an entry
 * appended right after follow() by another shard is never missed, even with clocks this far
 * apart. The cost: entries up to this old are delivered too; callers dedupe by seq.
 */
export const FOLLOW_CLOCK_SKEW_MS = 1_000;
/** First retry delay after a follower fails to start or stops, ms; doubles up to the max. */
export const FOLLOW_RETRY_BASE_MS = 250;
/** Longest wait between follower restarts, ms. */
export const FOLLOW_RETRY_MAX_MS = 10_000;
/** Messages requested per pull by a follower (refilled at 3/4). */
export const FOLLOW_PULL_BATCH = 256;
/** How long the server keeps a follower's consumer with no pulls (its process died), ms. */
const FOLLOW_CONSUMER_IDLE_MS = 5 * 60 * 1000;

/**
 * `idle` → `starting` (start point, consumer) → `running`; on a failure or a lost consumer →
 * `waiting` (backoff) → `starting` again; `closed` from anywhere, final.
 */
type FollowerState = 'idle' | 'starting' | 'running' | 'waiting' | 'closed';

const TRANSITIONS: Record<FollowerState, readonly FollowerState[]> = {
  idle: ['starting', 'closed'],
  starting: ['running', 'waiting', 'closed'],
  running: ['waiting', 'closed'],
  waiting: ['starting', 'closed'],
  closed: [],
};

export interface LogFollowerDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  /** The manager for consumer create and delete (created lazily by the log). */
  manager: () => Promise<JetStreamManager>;
  eventId: string;
  stream: string;
  /** The stream's bounds and epoch now, creating the stream when missing. */
  bounds: () => Promise<LogBounds>;
  /** Called once per entry, in seq order; must not throw. */
  /** Each entry in seq order, with its message's NATS headers (they may carry trace context). */
  deliver: (entry: LogEntry, headers: MsgHdrs | undefined) => void;
  logger: Logger;
  clock: Clock;
  skewMs: number;
}

export class LogFollower {
  #deps: LogFollowerDeps;
  #state: FollowerState = 'idle';
  /** Entries stamped from here on are delivered until the cursor is known (ISO time). */
  #startTime = '';
  /** The last seq delivered (or the one before the start); undefined until the first consumer. */
  #cursor: number | undefined;
  /** The epoch of the stream the cursor counts in; undefined until the first start. */
  #epoch: string | undefined;
  #messages: ConsumerMessages | undefined;
  /** The current consumer and the manager that created it (to delete it). */
  #consumer: { name: string; jsm: JetStreamManager } | undefined;
  /** The current consumer's last delivery seq: a jump means the server skipped some. */
  #delivered = 0;
  #retry: TimerHandle | undefined;
  /** The current attempt; close() waits for it so no consumer it creates is left behind. */
  #attempt: Promise<void> = Promise.resolve();
  #failures = 0;
  /** Set when the consumer is replaced on purpose: the next start is immediate. */
  #renewing = false;

  constructor(deps: LogFollowerDeps) {
    this.#deps = deps;
  }

  /** Fixes the start point at now, then starts in the background; failures retry until close. */
  start(): void {
    this.#startTime = new Date(this.#deps.clock.now() - this.#deps.skewMs).toISOString();
    this.#to('starting');
    this.#spawn();
  }

  /** Stops the consumer and deletes it from the server (best effort). Idempotent. */
  async close(): Promise<void> {
    if (this.#is('closed')) return;
    this.#to('closed');
    if (this.#retry) this.#deps.clock.clearTimeout(this.#retry);
    await this.#stopConsumer();
    await this.#attempt;
  }

  async #run(): Promise<void> {
    const { js, eventId, stream, logger, nc } = this.#deps;
    try {
      // Also recreates a stream deleted meanwhile: a new epoch, whose seqs start again.
      const { epoch, lastSeq } = await this.#deps.bounds();
      if (!this.#is('starting')) return;
      if (this.#epoch !== undefined && epoch !== this.#epoch) {
        logger.warn('event log started over (a new epoch); following it from its start', {
          eventId,
          epoch,
          previous: this.#epoch,
        });
        this.#cursor = 0;
      } else if (this.#cursor !== undefined && lastSeq < this.#cursor) {
        logger.warn('event log restarted behind its follower; following from its end', {
          eventId,
          cursor: this.#cursor,
          lastSeq,
        });
        this.#cursor = lastSeq;
      }
      const jsm = await this.#deps.manager();
      const info = await jsm.consumers.add(stream, this.#consumerConfig());
      this.#consumer = { name: info.name, jsm };
      if (!this.#is('starting')) return await this.#stopConsumer();
      // A stream recreated between the bounds and the consumer would be read under the old
      // epoch: check again (one round trip per start). Recreated later, it takes the consumer
      // with it, and the next start sees the new epoch.
      if ((await this.#deps.bounds()).epoch !== epoch)
        throw new Error('stream recreated meanwhile');
      if (!this.#is('starting')) return await this.#stopConsumer();
      this.#epoch = epoch;
      // A new consumer reports the seq before its first: the start point, resolved by the server.
      this.#cursor ??= info.delivered.stream_seq;
      this.#delivered = 0;
      const messages = await js.consumers.getConsumerFromInfo(info).consume({
        max_messages: FOLLOW_PULL_BATCH,
        // A consumer lost to a server restart or the inactive threshold ends the feed; we
        // replace it from the cursor rather than let the client poll for it forever.
        abort_on_missing_resource: true,
        callback: (msg) => this.#onMessage(msg),
      });
      this.#messages = messages;
      if (!this.#is('starting')) return await this.#stopConsumer();
      this.#to('running');
      this.#failures = 0;
      this.#report(messages).catch((err: unknown) =>
        logger.warn('event log follower status failed', { eventId, err }),
      );
      const err = await messages.closed();
      if (!this.#is('running')) return;
      if (this.#renewing) logger.info('event log follower: renewing its consumer', { eventId });
      else logger.warn('event log follower stopped; restarting', { eventId, err });
    } catch (err) {
      if (this.#is('closed')) return;
      logger.warn('event log follower failed to start; retrying', {
        eventId,
        failures: this.#failures + 1,
        err,
      });
    }
    await this.#stopConsumer();
    if (this.#is('closed')) return;
    if (nc.isClosed()) {
      // The connection's owner closed it under us: nothing will ever work again.
      logger.warn('event log follower stopped: connection closed', { eventId });
      this.#to('closed');
      return;
    }
    this.#to('waiting');
    const backoff = Math.min(FOLLOW_RETRY_MAX_MS, FOLLOW_RETRY_BASE_MS * 2 ** this.#failures);
    // Half the delay is random: shards that lost the same server do not come back in lockstep.
    const delay = this.#renewing ? 0 : backoff / 2 + Math.random() * (backoff / 2);
    if (!this.#renewing) this.#failures++;
    this.#renewing = false;
    this.#retry = this.#deps.clock.setTimeout(() => {
      this.#retry = undefined;
      if (!this.#is('waiting')) return;
      this.#to('starting');
      this.#spawn();
    }, delay);
  }

  #consumerConfig(): Partial<ConsumerConfig> {
    const start: Partial<ConsumerConfig> =
      this.#cursor === undefined
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: this.#startTime }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.#cursor + 1 };
    return {
      ...start,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(FOLLOW_CONSUMER_IDLE_MS),
    };
  }

  #spawn(): void {
    this.#attempt = this.#run().catch((err: unknown) =>
      this.#deps.logger.error('event log follower crashed', { eventId: this.#deps.eventId, err }),
    );
  }

  #onMessage(msg: JsMsg): void {
    if (!this.#is('running') && !this.#is('starting')) return;
    if (msg.info.deliverySequence !== this.#delivered + 1) {
      // The server dropped some (this client was a slow consumer): renew from the cursor.
      if (!this.#renewing) {
        this.#renewing = true;
        this.#messages?.stop();
      }
      return;
    }
    this.#delivered = msg.info.deliverySequence;
    const seq = msg.info.streamSequence;
    if (this.#cursor !== undefined && seq <= this.#cursor) return;
    this.#cursor = seq;
    this.#deps.deliver(toLogEntry(msg, this.#epoch ?? ''), msg.headers);
  }

  async #report(messages: ConsumerMessages): Promise<void> {
    const { eventId, logger } = this.#deps;
    for await (const s of messages.status()) {
      if (
        s.type === 'heartbeats_missed' ||
        s.type === 'consumer_not_found' ||
        s.type === 'consumer_deleted' ||
        s.type === 'stream_not_found'
      )
        logger.warn(`event log follower: ${s.type}`, { eventId });
    }
  }

  async #stopConsumer(): Promise<void> {
    const messages = this.#messages;
    const consumer = this.#consumer;
    this.#messages = undefined;
    this.#consumer = undefined;
    messages?.stop();
    if (consumer === undefined || this.#deps.nc.isClosed()) return;
    try {
      await consumer.jsm.consumers.delete(this.#deps.stream, consumer.name);
    } catch (err) {
      // Already gone (server restart), or unreachable: the inactive threshold removes it.
      this.#deps.logger.info('event log follower: consumer not deleted', {
        eventId: this.#deps.eventId,
        err,
      });
    }
  }

  /** A method, not a field read, so TypeScript does not carry a narrowing across an await. */
  #is(state: FollowerState): boolean {
    return this.#state === state;
  }

  #to(next: FollowerState): void {
    if (!TRANSITIONS[this.#state].includes(next))
      throw new Error(`log follower: illegal transition ${this.#state} -> ${next}`);
    this.#state = next;
  }
}

/**
 * A stored JetStream message as a log entry of `epoch`: the stream seq, the server's time, the
 * msgId.
 */
export function toLogEntry(msg: JsMsg, epoch: string): LogEntry {
  return {
    epoch,
    seq: msg.info.streamSequence,
    ts: Number(msg.timestampNanos / 1_000_000n),
    msgId: msg.headers?.get('Nats-Msg-Id') ?? '',
    data: msg.data,
  };
}
