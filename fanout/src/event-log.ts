// The seam for what must be ordered and recoverable: chat (and later moderation and poll
// lifecycle) as one append-only log per live event. The log, not a shard, assigns the sequence
// number, so fans on every shard see the same order. Implementations: MemoryEventLog (embedded)
// and, in the distributed mode, JetStream. Both run event-log.contract.ts.

import type { Subscription } from './bus.js';

export interface LogEntry {
  /** Per-event sequence, starting at 1, gap-free among accepted appends. */
  seq: number;
  /** When the log accepted the entry, ms since the Unix epoch (the log's clock). */
  ts: number;
  /** The id given at append; the dedupe key. */
  msgId: string;
  data: Uint8Array;
}

export interface AppendResult {
  seq: number;
  /** True when `msgId` was already appended within the dedupe window: nothing new was stored. */
  duplicate: boolean;
}

export interface LogRange {
  /** Entries after the requested seq, oldest first, at most the requested limit. */
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
   * nothing is then appended.
   */
  append(eventId: string, data: Uint8Array, msgId: string): Promise<AppendResult>;

  /**
   * Delivers every entry appended after this call, in seq order, each once per handler.
   * Ref-counted per event like Bus.subscribe.
   */
  follow(eventId: string, handler: (entry: LogEntry) => void): Subscription;

  /** The newest `limit` entries, oldest first. */
  readLast(eventId: string, limit: number): Promise<LogEntry[]>;

  /** Entries with seq > `afterSeq`, oldest first, at most `limit`. */
  readAfter(eventId: string, afterSeq: number, limit: number): Promise<LogRange>;

  /** Releases the transport. Idempotent. */
  close(): Promise<void>;
}
