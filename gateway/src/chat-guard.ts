// Per-fan chat admission: a token bucket (about 1 message/s, burst 3 for fans; more for staff)
// and a duplicate filter (the same text again within 30 s). Every refusal is a typed verdict the
// gateway turns into an error frame; nothing is dropped silently.

import { take, newBucket, refund, type Bucket, type BucketSpec } from './token-bucket.js';

export interface ChatLimits {
  fan: BucketSpec;
  staff: BucketSpec;
  /** How long the same text from the same fan is refused, ms. */
  duplicateWindowMs: number;
}

export type ChatVerdict =
  | { ok: true }
  | { ok: false; code: 'rate_limited'; retryAfterMs: number }
  | { ok: false; code: 'duplicate_message' };

/** How long an idempotency key is remembered: the event log's dedupe window. */
const KEY_MEMORY_MS = 2 * 60 * 1000;

/** Case and spacing do not make a message new. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}

/** Drops entries older than `keepMs` (insertion order is time order); undefined once empty. */
function expire(
  memory: Map<string, number> | undefined,
  now: number,
  keepMs: number,
): Map<string, number> | undefined {
  if (memory === undefined) return undefined;
  for (const [seen, at] of memory) {
    if (now - at < keepMs) break;
    memory.delete(seen);
  }
  return memory.size === 0 ? undefined : memory;
}

/**
 * One fan's chat admission. Created on the fan's first `chat.send` (see `chatGuardOf`), and its
 * two memories only when there is something to remember: most fans never chat, and an empty
 * Map still costs a table. Forgotten memories are let go too, so a fan who chatted once costs
 * the guard and its bucket, not two Maps, once the windows have passed.
 */
export class ChatGuard {
  #spec: BucketSpec;
  #bucket: Bucket;
  #windowMs: number;
  /** Recent accepted texts and when; at most burst + window * rate entries. */
  #recent: Map<string, number> | undefined;
  /** Idempotency keys admitted recently, as long as the log dedupes them. */
  #keys: Map<string, number> | undefined;

  constructor(limits: ChatLimits, staff: boolean, now: number) {
    this.#spec = staff ? limits.staff : limits.fan;
    this.#bucket = newBucket(this.#spec, now);
    this.#windowMs = limits.duplicateWindowMs;
  }

  /** Whether it holds any memory of texts or keys (a test's view of its laziness). */
  get remembers(): { texts: boolean; keys: boolean } {
    return { texts: this.#recent !== undefined, keys: this.#keys !== undefined };
  }

  /**
   * Admits `text` (and counts it) or says why not. A retry carrying an idempotency key that
   * this session already admitted passes untouched: the log's dedupe decides what it is.
   */
  admit(text: string, now: number, idempotencyKey?: string): ChatVerdict {
    const key = normalize(text);
    this.#recent = expire(this.#recent, now, this.#windowMs);
    this.#keys = expire(this.#keys, now, KEY_MEMORY_MS);
    if (idempotencyKey !== undefined && this.#keys?.has(idempotencyKey)) return { ok: true };
    if (this.#windowMs > 0 && this.#recent?.has(key))
      return { ok: false, code: 'duplicate_message' };
    const wait = take(this.#bucket, this.#spec, now);
    if (wait > 0) return { ok: false, code: 'rate_limited', retryAfterMs: wait };
    if (this.#windowMs > 0) (this.#recent ??= new Map()).set(key, now);
    if (idempotencyKey !== undefined) (this.#keys ??= new Map()).set(idempotencyKey, now);
    return { ok: true };
  }

  /** Undoes an admission whose message could not be stored, so a retry is not refused. */
  forget(text: string): void {
    this.#recent?.delete(normalize(text));
    refund(this.#bucket, this.#spec);
  }
}
