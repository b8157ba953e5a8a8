// Join rate limits: token buckets per client address and per event, so one address (a script)
// cannot mint tokens as fast as it likes, and one event's join storm is bounded to what the
// shards can admit; and the process's own budget (admission control), so a storm over every
// event together is refused with a cheap 503 before this process spends its loop signing
// tokens it cannot sign in time. Buckets live in this process (each API replica limits on its
// own: N replicas admit up to N times the rate); time comes from the injected clock, so tests
// need no sleeps.

import type { Clock } from '@fanfare/fanout';
import { scheduleRetry, type RetrySchedule } from '@fanfare/protocol';

/** A token bucket: `ratePerSecond` sustained, `burst` at once. */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

export interface JoinLimits {
  /** Per client address; undefined: not limited. */
  perAddress: RateLimit | undefined;
  /** Per event; undefined: not limited. */
  perEvent: RateLimit | undefined;
  /** This process, all events together (admission control); undefined: off. */
  budget: RateLimit | undefined;
}

/** Why a join is refused, and the `Retry-After` to send, whole seconds. */
export type JoinRefusal =
  { code: 'rate_limited'; retryAfterS: number } | { code: 'overloaded'; retryAfterS: number };

/** A join from one address: 5/s, a burst of 50 (a family or an office behind one NAT). */
export const JOIN_LIMIT_PER_ADDRESS: RateLimit = { ratePerSecond: 5, burst: 50 };
/** A join storm on one event: 2,000/s, a burst of 20,000 (past what 2 cores sign anyway). */
export const JOIN_LIMIT_PER_EVENT: RateLimit = { ratePerSecond: 2_000, burst: 20_000 };
/**
 * Joins one API process signs per second, all events together: 2,000/s with a burst of as many,
 * about what one API process answered per second on the 2-core box of docs/benchmarks.md (2,008
 * to 2,415 joins/s). Past it: 503 `overloaded`.
 */
export const JOIN_BUDGET: RateLimit = { ratePerSecond: 2_000, burst: 2_000 };
/** Most buckets kept per kind; past it the oldest is dropped (it starts full again). */
export const JOIN_LIMIT_MAX_KEYS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** Keyed token buckets with bounded memory. */
export class KeyedBuckets {
  #limit: RateLimit;
  #maxKeys: number;
  #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, maxKeys = JOIN_LIMIT_MAX_KEYS) {
    this.#limit = limit;
    this.#maxKeys = maxKeys;
  }

  /** Takes one token for `key` at `now` (ms): 0 when taken, else ms until one is there. */
  take(key: string, now: number): number {
    const { ratePerSecond, burst } = this.#limit;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (!oldest.done) this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: burst, at: now };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000);
  }

  get size(): number {
    return this.#buckets.size;
  }
}

export class JoinLimiter {
  #clock: Clock;
  #perAddress: KeyedBuckets | undefined;
  #perEvent: KeyedBuckets | undefined;
  #budget: KeyedBuckets | undefined;
  #budgetRate: number;
  #retries: RetrySchedule = { nextSlotAt: 0 };

  constructor(limits: JoinLimits, clock: Clock) {
    this.#clock = clock;
    this.#perAddress = limits.perAddress && new KeyedBuckets(limits.perAddress);
    this.#perEvent = limits.perEvent && new KeyedBuckets(limits.perEvent);
    this.#budget = limits.budget && new KeyedBuckets(limits.budget, 1);
    this.#budgetRate = limits.budget?.ratePerSecond ?? 1;
  }

  /**
   * Admits one join of `eventId` from `address` (undefined: unknown, not limited per address):
   * undefined, or the refusal. The address is checked first (a join it refuses costs the others
   * nothing), then the process's budget, then the event.
   */
  admit(eventId: string, address: string | undefined): JoinRefusal | undefined {
    const now = this.#clock.now();
    if (address !== undefined && this.#perAddress) {
      const wait = this.#perAddress.take(address, now);
      if (wait > 0) return { code: 'rate_limited', retryAfterS: Math.ceil(wait / 1000) };
    }
    if ((this.#budget?.take('', now) ?? 0) > 0) {
      // The next free slot among the refused, at the budget's rate (protocol's scheduleRetry).
      return {
        code: 'overloaded',
        retryAfterS: scheduleRetry(this.#retries, now, this.#budgetRate),
      };
    }
    const wait = this.#perEvent?.take(eventId, now) ?? 0;
    return wait > 0 ? { code: 'rate_limited', retryAfterS: Math.ceil(wait / 1000) } : undefined;
  }
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The address a join is limited by. With `header` set (a trusted proxy's, e.g.
 * `x-forwarded-for`), its last entry: the one the proxy itself appended (entries before it are
 * the client's to forge). Without it, the socket's peer, except a loopback peer (this machine:
 * tests, load generators, or a local proxy whose header was not configured), which is not
 * limited per address.
 */
export function clientAddress(
  header: string | undefined,
  headerValue: string | undefined,
  peer: string | undefined,
): string | undefined {
  if (header !== undefined) {
    const last = headerValue?.split(',').at(-1)?.trim();
    return last ? last : undefined;
  }
  if (peer === undefined || LOOPBACK.test(peer)) return undefined;
  return peer;
}

/** The socket peer's address under @hono/node-server (`c.env.incoming`); undefined elsewhere. */
export function peerAddress(env: unknown): string | undefined {
  return (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
    ?.socket?.remoteAddress;
}
