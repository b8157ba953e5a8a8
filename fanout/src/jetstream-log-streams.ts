// Provisioning of the one-stream-per-event JetStream layout: creates an event's stream on first
// use, remembers per process that it exists, and reads its bounds. One stream per event makes the
// stream sequence the event's sequence (assigned once, by JetStream). The trade-off is one stream
// per live event on the server, each with its own limits and files: fine for hundreds of
// concurrent events per account; for many thousands, a shared stream per shard-group with
// per-subject sequences would be the next step.

import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { Logger } from './logger.js';
import type { Subjects } from './subjects.js';

/** JetStream's "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;
/**
 * What the server answers instead when a concurrent create of the same stream won the race in
 * between its checks: the stream exists, under this name, with this subject.
 */
const STREAM_SUBJECT_OVERLAP = 10065;

export interface LogStreamLimits {
  maxEntries: number;
  maxAgeMs: number;
  dedupeWindowMs: number;
  replicas: number;
}

/** An event's stream bounds and epoch; `firstSeq` is 0 when nothing is retained. */
export interface LogBounds {
  epoch: string;
  firstSeq: number;
  lastSeq: number;
}

/**
 * The event streams of one log handle. `ensure` is cached per process (one entry per event ever
 * used, a few bytes each) and resolves with the stream's epoch as last learned; `bounds` and
 * `boundsCreating` always ask the server, and refresh that epoch.
 */
export class LogStreams {
  #jsm: JetStreamManager;
  #subjects: Subjects;
  #limits: LogStreamLimits;
  #logger: Logger;
  /**
   * Events whose stream this process has created or seen, with its epoch as last learned; a
   * rejected ensure is forgotten.
   */
  #known = new Map<string, Promise<string>>();

  constructor(jsm: JetStreamManager, subjects: Subjects, limits: LogStreamLimits, logger: Logger) {
    this.#jsm = jsm;
    this.#subjects = subjects;
    this.#limits = limits;
    this.#logger = logger;
  }

  /**
   * Resolves with the stream's epoch once the event's stream exists; at most one create per
   * event per process.
   */
  ensure(eventId: string): Promise<string> {
    let known = this.#known.get(eventId);
    if (!known) {
      known = this.#create(eventId).then(toEpoch);
      this.#known.set(eventId, known);
      known.catch(() => {
        // The caller sees the rejection; forgetting it lets the next call try again.
        if (this.#known.get(eventId) === known) this.#known.delete(eventId);
      });
    }
    return known;
  }

  /** The stream's epoch as last learned, or undefined when this handle knows no stream. */
  known(eventId: string): Promise<string> | undefined {
    return this.#known.get(eventId);
  }

  /** Forgets that the stream exists (it was deleted under us); the next ensure recreates it. */
  forget(eventId: string): void {
    this.#known.delete(eventId);
  }

  /**
   * The stream's bounds as the server sees them now, creating the stream when missing (a
   * follower needs a stream to attach to, and must notice one that was recreated).
   */
  async boundsCreating(eventId: string): Promise<LogBounds> {
    const bounds = await this.bounds(eventId);
    if (bounds) return bounds;
    this.forget(eventId);
    const info = await this.#create(eventId);
    const created = toBounds(info);
    this.#known.set(eventId, Promise.resolve(created.epoch));
    return created;
  }

  /** The stream's bounds now, or undefined when it does not exist (an event with no entries). */
  async bounds(eventId: string): Promise<LogBounds | undefined> {
    try {
      const info = await this.#jsm.streams.info(this.#subjects.logStream(eventId));
      const bounds = toBounds(info);
      this.#known.set(eventId, Promise.resolve(bounds.epoch));
      return bounds;
    } catch (err) {
      if (isApiError(err, JetStreamApiCodes.StreamNotFound)) {
        this.forget(eventId);
        return undefined;
      }
      throw err;
    }
  }

  #config(eventId: string): Partial<StreamConfig> & { name: string } {
    const { maxEntries, maxAgeMs, dedupeWindowMs, replicas } = this.#limits;
    return {
      name: this.#subjects.logStream(eventId),
      subjects: [this.#subjects.log(eventId)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_msgs: maxEntries,
      max_age: nanos(maxAgeMs),
      duplicate_window: nanos(dedupeWindowMs),
      num_replicas: replicas,
    };
  }

  async #create(eventId: string): Promise<StreamInfo> {
    const config = this.#config(eventId);
    try {
      // Creating a stream that exists with an identical config succeeds: two shards racing
      // to create the same event's stream both get here.
      return await this.#jsm.streams.add(config);
    } catch (err) {
      if (isApiError(err, STREAM_SUBJECT_OVERLAP)) {
        // Lost a creation race; if the subject belongs to another stream, info() says so.
        return await this.#jsm.streams.info(config.name);
      }
      if (!isApiError(err, STREAM_NAME_IN_USE)) throw err;
      // It exists with other limits (another version of this code made it, or an operator
      // changed them): use it as it is rather than fight over its configuration.
      this.#logger.warn('event log stream exists with a different configuration; using it', {
        stream: config.name,
      });
      return await this.#jsm.streams.info(config.name);
    }
  }
}

function toBounds(info: StreamInfo): LogBounds {
  const { state } = info;
  // After every entry aged out, JetStream reports first_seq = last_seq + 1 with no messages.
  return {
    epoch: toEpoch(info),
    firstSeq: state.messages > 0 ? state.first_seq : 0,
    lastSeq: state.last_seq,
  };
}

function toEpoch(info: StreamInfo): string {
  return streamEpoch(info.created);
}

/**
 * The epoch of a stream created at `created` (RFC 3339 with up to nanoseconds, as nats-server
 * reports it): the creation time in nanoseconds since the Unix epoch, base 36 (about 13
 * characters). A time it cannot read is used as it is, reduced to the epoch alphabet.
 */
export function streamEpoch(created: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(created);
  const ms = match ? Date.parse(`${match[1]}${match[3]}`) : NaN;
  if (!match || Number.isNaN(ms)) return created.replace(/[^A-Za-z0-9_-]/g, '').slice(-32) || '0';
  const nanos = BigInt(ms) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
  return nanos.toString(36);
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
