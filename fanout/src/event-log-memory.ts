// The embedded mode's event log: per-event arrays in this process, bounded by count and age the
// way a JetStream stream is bounded, with the same msgId dedupe window. Lost on restart, which
// is what an embedded single process can promise; the epoch, random per instance, says so to a
// fan who resumes across a restart.

import { randomBytes } from 'node:crypto';
import type { Subscription } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import type { AppendResult, EventLog, LogEntry, LogRange } from './event-log.js';
import { HandlerRegistry } from './handler-registry.js';
import { LOG_DEDUPE_WINDOW_MS, LOG_MAX_AGE_MS, LOG_MAX_ENTRIES } from './event-log-limits.js';

// Re-exported where they used to live.
export { LOG_DEDUPE_WINDOW_MS, LOG_MAX_AGE_MS, LOG_MAX_ENTRIES };

export interface MemoryEventLogOptions {
  clock?: Clock;
  maxEntries?: number;
  maxAgeMs?: number;
  dedupeWindowMs?: number;
  /** This history's epoch (tests); default: 12 random bytes, base64url (16 characters). */
  epoch?: string;
}

interface EventStream {
  entries: LogEntry[];
  lastSeq: number;
  seen: Map<string, { seq: number; ts: number }>;
}

type Follower = (entry: LogEntry) => void;

export class MemoryEventLog implements EventLog {
  /** One epoch per instance: every event's history here starts and ends with the process. */
  readonly epoch: string;
  #clock: Clock;
  #maxEntries: number;
  #maxAgeMs: number;
  #dedupeWindowMs: number;
  #streams = new Map<string, EventStream>();
  #followers = new HandlerRegistry<Follower>();
  #closed = false;

  constructor(options: MemoryEventLogOptions = {}) {
    this.epoch = options.epoch ?? randomBytes(12).toString('base64url');
    this.#clock = options.clock ?? systemClock;
    this.#maxEntries = options.maxEntries ?? LOG_MAX_ENTRIES;
    this.#maxAgeMs = options.maxAgeMs ?? LOG_MAX_AGE_MS;
    this.#dedupeWindowMs = options.dedupeWindowMs ?? LOG_DEDUPE_WINDOW_MS;
  }

  async append(eventId: string, data: Uint8Array, msgId: string): Promise<AppendResult> {
    if (this.#closed) throw new Error('event log is closed');
    const stream = this.#stream(eventId);
    const ts = this.#clock.now();
    this.#expire(stream, ts);
    const seen = stream.seen.get(msgId);
    if (seen) return { epoch: this.epoch, seq: seen.seq, duplicate: true };
    const entry: LogEntry = { epoch: this.epoch, seq: ++stream.lastSeq, ts, msgId, data };
    stream.entries.push(entry);
    stream.seen.set(msgId, { seq: entry.seq, ts });
    if (stream.entries.length > this.#maxEntries) stream.entries.shift();
    this.#followers.forEach(
      eventId,
      (follower) => follower(entry),
      (err) => console.error(`event log follower on ${eventId}`, err),
    );
    return { epoch: this.epoch, seq: entry.seq, duplicate: false };
  }

  follow(eventId: string, handler: Follower): Subscription {
    const registration = this.#followers.add(eventId, handler);
    return { unsubscribe: () => void registration.remove() };
  }

  async readLast(eventId: string, limit: number): Promise<LogRange> {
    const stream = this.#streams.get(eventId);
    if (!stream) return { epoch: this.epoch, entries: [], firstSeq: 0, lastSeq: 0 };
    this.#expire(stream, this.#clock.now());
    const entries = limit > 0 ? stream.entries.slice(-limit) : [];
    return { epoch: this.epoch, entries, ...this.#bounds(stream) };
  }

  async readAfter(eventId: string, afterSeq: number, limit: number): Promise<LogRange> {
    const stream = this.#streams.get(eventId);
    if (!stream) return { epoch: this.epoch, entries: [], firstSeq: 0, lastSeq: 0 };
    this.#expire(stream, this.#clock.now());
    const first = stream.entries[0];
    // Entries are contiguous by seq, so the start index is arithmetic.
    const start = first ? Math.max(0, afterSeq + 1 - first.seq) : 0;
    return {
      epoch: this.epoch,
      entries: stream.entries.slice(start, start + Math.max(0, limit)),
      ...this.#bounds(stream),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#followers.clear();
  }

  #bounds(stream: EventStream): { firstSeq: number; lastSeq: number } {
    return { firstSeq: stream.entries[0]?.seq ?? 0, lastSeq: stream.lastSeq };
  }

  #stream(eventId: string): EventStream {
    let stream = this.#streams.get(eventId);
    if (!stream)
      this.#streams.set(eventId, (stream = { entries: [], lastSeq: 0, seen: new Map() }));
    return stream;
  }

  #expire(stream: EventStream, now: number): void {
    const oldest = now - this.#maxAgeMs;
    let drop = 0;
    while (drop < stream.entries.length && stream.entries[drop]!.ts < oldest) drop++;
    if (drop > 0) stream.entries.splice(0, drop);
    // Map iteration is insertion order, which is ts order: stop at the first fresh one.
    const dedupeOldest = now - this.#dedupeWindowMs;
    for (const [msgId, seen] of stream.seen) {
      if (seen.ts >= dedupeOldest) break;
      stream.seen.delete(msgId);
    }
  }
}
