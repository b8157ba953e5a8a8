// The seam for what must be ordered and recoverable: chat (and later moderation and poll
// lifecycle) as one append-only log per live event. The log, not a shard, assigns the sequence
// number, so fans on every shard see the same order. Implementations: MemoryEventLog (embedded)
// and, in the distributed mode, JetStream. Both run event-log.contract.ts.
//
// A position in the log is (epoch, seq), as centrifuge's StreamPosition: the epoch names one
// history of the event's log and changes whenever the log starts over (a JetStream stream deleted
// and recreated, the memory log of a restarted engine, data lost), so a seq from another history
// is never mistaken for a place in this one. Epochs are opaque strings of 1-32 characters
// [A-Za-z0-9_-], compared for equality only.
// - MemoryEventLog: random per log instance (a restarted engine has a new one).
// - JetStream: the stream's `created` time as the server reports it, in nanoseconds (base 36).
//   JetStream assigns it at creation and keeps it across server restarts and, in a cluster, on
//   every replica (it is part of the stream assignment); nats-server 2.9 has no stream metadata,
//   and a random epoch in the description would race concurrent creators. Limits: a stream
//   restored from a backup gets a new `created`, so its fans are told continuity was lost
//   although the history is the same (the safe direction); a purge keeps the epoch, and its
//   fans find their seqs below `firstSeq` (lost, too).

import type { Subscription } from './bus.js';

export interface LogEntry {
  /** The history this entry belongs to (see the epoch note above). */
  epoch: string;
  /** Per-event sequence, starting at 1, gap-free among accepted appends. */
  seq: number;
  /** When the log accepted the entry, ms since the Unix epoch (the log's clock). */
  ts: number;
  /** The id given at append; the dedupe key. */
  msgId: string;
  data: Uint8Array;
}

export interface AppendResult {
  /**
   * The epoch of the history the entry was appended to. MemoryEventLog: exact. JetStream: the
   * epoch this handle last learned for the stream (at creation, a read, a follower restart); an
   * append racing a deletion and recreation of the stream may name the previous one.
   */
  epoch: string;
  seq: number;
  /** True when `msgId` was already appended within the dedupe window: nothing new was stored. */
  duplicate: boolean;
}

export interface LogRange {
  /**
   * The epoch the range was read from. An event with no entries has one too (JetStream creates
   * the event's stream on first use, reads included): it names the history appends will extend.
   */
  epoch: string;
  /** The entries asked for, oldest first, at most the requested limit. */
  entries: LogEntry[];
  /** Oldest seq still retained (0 when empty). A request older than this has lost continuity. */
  firstSeq: number;
  /** Newest seq (0 when the event has no entries). */
  lastSeq: number;
}

export interface EventLog {
  /**
   * Appends one record to the event's log and resolves with its position once it is durable
   * to the implementation's standard. Appending a `msgId` seen within the dedupe window returns
   * the first append's position with `duplicate: true`. Rejects when the log is unreachable;
   * nothing is then appended. When the implementation knows it is unreachable (JetStream with its
   * connection down) it rejects at once with LogUnavailableError, without waiting on a timeout.
   */
  append(eventId: string, data: Uint8Array, msgId: string): Promise<AppendResult>;

  /**
   * Delivers every entry appended after this call, in seq order, each once per handler.
   * Ref-counted per event like Bus.subscribe. Each entry names its epoch; when the log starts
   * over under a follower (JetStream: the stream recreated), the follower goes on with the new
   * history from its first retained entry, whose seqs start again: compare epochs, not seqs.
   */
  follow(eventId: string, handler: (entry: LogEntry) => void): Subscription;

  /**
   * The newest `limit` entries, oldest first, with the epoch and bounds. The epoch is stable
   * across reads, appends and reconnects while the history lasts; it changes when the log starts
   * over, and never comes back.
   */
  readLast(eventId: string, limit: number): Promise<LogRange>;

  /** Entries with seq > `afterSeq`, oldest first, at most `limit`. */
  readAfter(eventId: string, afterSeq: number, limit: number): Promise<LogRange>;

  /** Releases the transport. Idempotent. */
  close(): Promise<void>;
}
