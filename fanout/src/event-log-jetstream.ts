// The distributed mode's EventLog on JetStream, one stream per event: the stream sequence is the
// event's sequence, assigned once by the server, so every shard sees the same order, and msgId
// dedupe is JetStream's own (Nats-Msg-Id within the duplicate window). Followers are ephemeral
// pull consumers, one per event per process; reads are short-lived consumers over a seq range.
// Trade-off: a read costs three round trips (stream info, consumer create, fetch) because the
// batch direct-get API needs nats-server 2.11 and the deployment runs 2.9. The epoch is the
// stream's creation time (see event-log.ts), so a recreated stream is a new history.

import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos, type MsgHdrs } from '@nats-io/nats-core';
import type { Tracer } from '@opentelemetry/api';
import type { Subscription } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import type { AppendResult, EventLog, LogEntry, LogRange } from './event-log.js';
import { LOG_DEDUPE_WINDOW_MS, LOG_MAX_AGE_MS, LOG_MAX_ENTRIES } from './event-log-limits.js';
import { EventLogTracing } from './event-log-trace.js';
import { HandlerRegistry } from './handler-registry.js';
import { FOLLOW_CLOCK_SKEW_MS, LogFollower, toLogEntry } from './jetstream-log-follower.js';
import { LogStreams, type LogBounds, type LogStreamLimits } from './jetstream-log-streams.js';
import { consoleLogger, type Logger } from './logger.js';
import { LogUnavailableError } from './log-unavailable.js';
import type { NatsLink } from './nats-connection.js';
import type { Subjects } from './subjects.js';

/** How long a read waits for the range it asked for before returning what arrived, ms. */
export const LOG_READ_TIMEOUT_MS = 5_000;
/** How long the server keeps a read consumer nobody deleted (the client crashed), ms. */
const READ_CONSUMER_IDLE_MS = 30_000;

export interface JetStreamEventLogOptions {
  connection: NatsLink;
  /**
   * Whether `close()` also closes `connection`. Say so explicitly: a link shared with the bus
   * belongs to whoever created it (the service's main), not to the log.
   */
  ownsConnection: boolean;
  /** Builds subjects and stream names; its prefix scopes a deployment (or a test run). */
  subjects: Subjects;
  /** Stream replicas (1 on a single server; 3 on a cluster for a log that survives a node). */
  replicas?: number;
  maxEntries?: number;
  maxAgeMs?: number;
  dedupeWindowMs?: number;
  /** How far before follow() a follower starts, ms (see FOLLOW_CLOCK_SKEW_MS). */
  followSkewMs?: number;
  /** Time for follower start points and restart backoff. */
  clock?: Clock;
  logger?: Logger;
  /** Spans for appends and deliveries (event-log-trace.ts); undefined (tracing off): none. */
  tracer?: Tracer | undefined;
}

type Follower = (entry: LogEntry) => void;

/**
 * EventLog on JetStream. Beyond the EventLog contract:
 * - `append` rejects at once with LogUnavailableError (nothing stored) while the NATS connection
 *   is known to be down (from the client's `disconnect` status until its `reconnect`); it also
 *   rejects when JetStream does not answer, and on a publish
 *   timeout, after which the entry may in fact be stored: retrying with the same msgId within
 *   the dedupe window is safe and returns the first position.
 * - `follow` starts with the first entry the server stamped at or after the call's time minus
 *   `followSkewMs` (by the log's clock): every entry appended after the call, by any shard, is
 *   delivered, and so may be entries appended up to `followSkewMs` before it. Read after
 *   following (as EventRoom does) and dedupe by seq. Across disconnects, server restarts and
 *   lost consumers the follower resumes after the last seq it delivered, so nothing is skipped
 *   while entries are retained; a handler throwing is logged and does not stop the feed.
 * - `readLast` / `readAfter` report the range as of their first request; later appends wait
 *   for the next read or reach followers.
 */
export class JetStreamEventLog implements EventLog {
  #link: NatsLink;
  #ownsConnection: boolean;
  #subjects: Subjects;
  #js: JetStreamClient;
  #limits: LogStreamLimits;
  #jsm: JetStreamManager | undefined;
  #streams: LogStreams | undefined;
  #clock: Clock;
  #followSkewMs: number;
  #logger: Logger;
  #tracing: EventLogTracing | undefined;
  #handlers = new HandlerRegistry<Follower>();
  #followers = new Map<string, LogFollower>();
  /** Cleanups off the caller's path (unfollowed consumers, read consumers); close() waits. */
  #cleanups = new Set<Promise<void>>();
  #closed = false;

  constructor(options: JetStreamEventLogOptions) {
    this.#link = options.connection;
    this.#ownsConnection = options.ownsConnection;
    this.#subjects = options.subjects;
    this.#clock = options.clock ?? systemClock;
    this.#followSkewMs = options.followSkewMs ?? FOLLOW_CLOCK_SKEW_MS;
    this.#logger = options.logger ?? consoleLogger;
    this.#tracing = options.tracer ? new EventLogTracing(options.tracer) : undefined;
    this.#js = jetstream(this.#link.nc);
    this.#limits = {
      maxEntries: options.maxEntries ?? LOG_MAX_ENTRIES,
      maxAgeMs: options.maxAgeMs ?? LOG_MAX_AGE_MS,
      dedupeWindowMs: options.dedupeWindowMs ?? LOG_DEDUPE_WINDOW_MS,
      replicas: options.replicas ?? 1,
    };
  }

  async append(eventId: string, data: Uint8Array, msgId: string): Promise<AppendResult> {
    if (this.#closed) throw new Error('event log is closed');
    // Fail fast: while the connection is down the client would buffer the publish and the
    // caller would wait out the publish timeout (5 s) for an answer it can have now.
    if (this.#link.state !== 'connected') {
      throw new LogUnavailableError(`the NATS connection is ${this.#link.state}`);
    }
    const subject = this.#subjects.log(eventId);
    const streamName = this.#subjects.logStream(eventId);
    const { streams } = await this.#ready();
    let epoch = await streams.ensure(eventId);
    const send = async (headers?: MsgHdrs) => {
      const publish = () =>
        this.#js.publish(subject, data, { msgID: msgId, expect: { streamName }, headers });
      try {
        return await publish();
      } catch (err) {
        // No responders: the stream we remembered is gone (deleted by an operator or a test).
        // Recreate it once (a new epoch); a second failure is the caller's.
        if (!(err instanceof Error && err.name === 'JetStreamNotEnabled')) throw err;
        streams.forget(eventId);
        epoch = await streams.ensure(eventId);
        return publish();
      }
    };
    const ack = this.#tracing
      ? await this.#tracing.append(subject, eventId, msgId, send)
      : await send();
    // The epoch as last learned (PubAck does not carry it): see AppendResult.epoch.
    return {
      epoch: (await streams.known(eventId)) ?? epoch,
      seq: ack.seq,
      duplicate: ack.duplicate,
    };
  }

  follow(eventId: string, handler: Follower): Subscription {
    if (this.#closed) return { unsubscribe: () => undefined };
    const streamName = this.#subjects.logStream(eventId); // validates the id before anything
    const registration = this.#handlers.add(eventId, handler);
    if (registration.first) {
      const follower = new LogFollower({
        nc: this.#link.nc,
        js: this.#js,
        manager: async () => (await this.#ready()).jsm,
        eventId,
        stream: streamName,
        bounds: async () => (await this.#ready()).streams.boundsCreating(eventId),
        deliver: (entry, headers) => this.#deliver(eventId, entry, headers),
        logger: this.#logger,
        clock: this.#clock,
        skewMs: this.#followSkewMs,
      });
      this.#followers.set(eventId, follower);
      follower.start();
    }
    return {
      unsubscribe: () => {
        if (!registration.remove()) return;
        const follower = this.#followers.get(eventId);
        this.#followers.delete(eventId);
        if (follower)
          this.#background(follower.close(), (err) =>
            this.#logger.warn('event log follower close failed', { eventId, err }),
          );
      },
    };
  }

  async readLast(eventId: string, limit: number): Promise<LogRange> {
    const bounds = await (await this.#ready()).streams.boundsCreating(eventId);
    const start = Math.max(bounds.firstSeq, bounds.lastSeq - limit + 1);
    return this.#range(eventId, bounds, start, bounds.lastSeq);
  }

  async readAfter(eventId: string, afterSeq: number, limit: number): Promise<LogRange> {
    const bounds = await (await this.#ready()).streams.boundsCreating(eventId);
    const start = Math.max(afterSeq + 1, bounds.firstSeq);
    return this.#range(eventId, bounds, start, Math.min(bounds.lastSeq, start + limit - 1));
  }

  /** Event streams with a local follower now (a metric, like Bus.activeSubjects). */
  activeFollows(): number {
    return this.#followers.size;
  }

  /** Stops every follower, then closes the connection if the log owns it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const followers = [...this.#followers.values()];
    this.#followers.clear();
    this.#handlers.clear();
    await Promise.all([...followers.map((f) => f.close()), ...this.#cleanups]);
    if (this.#ownsConnection) await this.#link.close();
  }

  #deliver(eventId: string, entry: LogEntry, headers: MsgHdrs | undefined): void {
    const run = () =>
      this.#handlers.forEach(
        eventId,
        (handler) => handler(entry),
        (err) => this.#logger.error('event log follower handler failed', { eventId, err }),
      );
    if (this.#tracing) {
      this.#tracing.deliver(this.#subjects.log(eventId), eventId, entry, headers, run);
    } else {
      run();
    }
  }

  /**
   * The range [start, end] of the history `bounds` names. A stream recreated between the bounds
   * and the read would be read under the old epoch; the window is one round trip, and the
   * follower's restart reports the new epoch.
   */
  async #range(eventId: string, bounds: LogBounds, start: number, end: number): Promise<LogRange> {
    const entries =
      bounds.firstSeq > 0 && start <= end
        ? await this.#readRange(eventId, bounds.epoch, start, end)
        : [];
    return { epoch: bounds.epoch, entries, firstSeq: bounds.firstSeq, lastSeq: bounds.lastSeq };
  }

  /** Entries with start <= seq <= end (fewer if some aged out meanwhile), oldest first. */
  async #readRange(
    eventId: string,
    epoch: string,
    start: number,
    end: number,
  ): Promise<LogEntry[]> {
    const stream = this.#subjects.logStream(eventId);
    const { jsm } = await this.#ready();
    const info = await jsm.consumers.add(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(READ_CONSUMER_IDLE_MS),
    });
    try {
      const consumer = this.#js.consumers.getConsumerFromInfo(info);
      const messages = await consumer.fetch({
        max_messages: end - start + 1,
        expires: LOG_READ_TIMEOUT_MS,
      });
      const entries: LogEntry[] = [];
      for await (const msg of messages) {
        const entry = toLogEntry(msg, epoch);
        if (entry.seq > end) break;
        entries.push(entry);
        // Entries that aged out after the bounds were read shorten the range: stop at its end
        // rather than wait for the fetch to expire.
        if (entry.seq === end) break;
      }
      return entries;
    } finally {
      this.#background(jsm.consumers.delete(stream, info.name), (err) =>
        // The inactive threshold removes it anyway.
        this.#logger.info('event log read consumer not deleted', { stream, err }),
      );
    }
  }

  /** Runs `work` off the caller's path; close() waits for it; a failure goes to `onError`. */
  #background(work: Promise<unknown>, onError: (err: unknown) => void): void {
    const done: Promise<void> = work
      .then(() => undefined, onError)
      .finally(() => this.#cleanups.delete(done));
    this.#cleanups.add(done);
  }

  async #ready(): Promise<{ jsm: JetStreamManager; streams: LogStreams }> {
    if (!this.#jsm || !this.#streams) {
      // Without the API check, creating the manager makes no request: JetStream being off
      // surfaces at the first real request, and nothing is cached in a failed state.
      const jsm = await jetstreamManager(this.#link.nc, { checkAPI: false });
      this.#jsm ??= jsm;
      this.#streams ??= new LogStreams(this.#jsm, this.#subjects, this.#limits, this.#logger);
    }
    return { jsm: this.#jsm, streams: this.#streams };
  }
}
