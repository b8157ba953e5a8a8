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

export class ChatGuard {
  #spec: BucketSpec;
  #bucket: Bucket;
  #windowMs: number;
  /** Recent accepted texts and when; at most burst + window * rate entries. */
  #recent = new Map<string, number>();
  /** Idempotency keys admitted recently, as long as the log dedupes them. */
  #keys = new Map<string, number>();

  constructor(limits: ChatLimits, staff: boolean, now: number) {
    this.#spec = staff ? limits.staff : limits.fan;
    this.#bucket = newBucket(this.#spec, now);
    this.#windowMs = limits.duplicateWindowMs;
  }

  /**
   * Admits `text` (and counts it) or says why not. A retry carrying an idempotency key that
   * this session already admitted passes untouched: the log's dedupe decides what it is.
   */
  admit(text: string, now: number, idempotencyKey?: string): ChatVerdict {
    const key = normalize(text);
    for (const [seen, at] of this.#recent) {
      if (now - at < this.#windowMs) break; // insertion order is time order
      this.#recent.delete(seen);
    }
    for (const [seen, at] of this.#keys) {
      if (now - at < KEY_MEMORY_MS) break;
      this.#keys.delete(seen);
    }
    if (idempotencyKey !== undefined && this.#keys.has(idempotencyKey)) return { ok: true };
    if (this.#windowMs > 0 && this.#recent.has(key))
      return { ok: false, code: 'duplicate_message' };
    const wait = take(this.#bucket, this.#spec, now);
    if (wait > 0) return { ok: false, code: 'rate_limited', retryAfterMs: wait };
    if (this.#windowMs > 0) this.#recent.set(key, now);
    if (idempotencyKey !== undefined) this.#keys.set(idempotencyKey, now);
    return { ok: true };
  }

  /** Undoes an admission whose message could not be stored, so a retry is not refused. */
  forget(text: string): void {
    this.#recent.delete(normalize(text));
    refund(this.#bucket, this.#spec);
  }
}
