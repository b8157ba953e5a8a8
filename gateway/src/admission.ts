// Admission control for one shard: a connection-rate budget (a token bucket of upgrades per
// second) checked first in the upgrade handler, before the token is read or a room touched. A
// join storm past what the shard can verify and welcome then costs it one small 503 per extra
// fan instead of a stalled event loop for everyone already connected. The refused are told to
// come back spread over the time the budget needs for them (`Retry-After`, protocol/src/admission.ts) and the SDK adds
// its own jitter. Trade-off: a fan refused here waits at least a second, even if the storm
// passes sooner, and fans are told their slot in the order they were refused, not served in it.

import { scheduleRetry, type RetrySchedule } from '@fanfare/protocol';
import { newBucket, take, type Bucket, type BucketSpec } from './token-bucket.js';

/**
 * The budget when neither GATEWAY_ADMISSION_RATE nor a capacity profile sets one: 2,000
 * upgrades/s, about what one shard verified and welcomed per second on the 2-core box the
 * figures in docs/benchmarks.md come from (1,912/s with tokens fetched first), with a burst of a
 * quarter second of it: a burst is verified back to back, so it is what the loop may stall for.
 */
export const ADMISSION_RATE_PER_SECOND = 2_000;
export const ADMISSION_BURST = 500;
export const DEFAULT_ADMISSION: Readonly<BucketSpec> = Object.freeze({
  ratePerSecond: ADMISSION_RATE_PER_SECOND,
  burst: ADMISSION_BURST,
});
/**
 * What an upgrade with a resume ticket (`?ticket=`, an HMAC check) takes from the budget, against
 * 1 for one with a token (an ES256 check): on one box under one load a join with a ticket cost
 * the shard 285-307 CPU-µs and one with a token 410-545 (docs/benchmarks.md, third pass). So a
 * resume storm, all tickets, is admitted ~1.4x as fast as the budget's joins with tokens.
 */
export const TICKET_ADMISSION_COST = 0.7;
/** From a profile: its measured connects/s, and a quarter second of it as the burst. */
export const PROFILE_BURST_S = 0.25;

/** Where a shard's budget came from, for the start-up log and docs/operations.md. */
export type AdmissionSource = 'variable' | 'profile' | 'default';

export interface AdmissionSetting {
  /** undefined: admission control off (GATEWAY_ADMISSION_RATE=off). */
  spec: BucketSpec | undefined;
  source: AdmissionSource;
}

/**
 * The budget a capacity profile (loadtest/results/capacity.json, format in loadtest/README.md)
 * implies: the largest `connectsPerSec` any of its shard rows measured, a burst of
 * PROFILE_BURST_S of it. Undefined when the profile holds no such figure.
 */
export function admissionFromProfile(profile: unknown): BucketSpec | undefined {
  const rows = (profile as { shards?: unknown } | null)?.shards;
  if (!Array.isArray(rows)) return undefined;
  const rates = rows
    .map((r) => (r as { connectsPerSec?: unknown } | null)?.connectsPerSec)
    .filter((c): c is number => typeof c === 'number' && Number.isFinite(c) && c > 0);
  if (rates.length === 0) return undefined;
  const ratePerSecond = Math.round(Math.max(...rates));
  return { ratePerSecond, burst: Math.max(1, Math.round(ratePerSecond * PROFILE_BURST_S)) };
}

/** The shard's budget. Not thread-safe by design: one per uWS app, on its event loop. */
export class Admission {
  readonly spec: BucketSpec | undefined;
  readonly #bucket: Bucket | undefined;
  readonly #retries: RetrySchedule = { nextSlotAt: 0 };
  #refused = 0;

  constructor(spec: BucketSpec | undefined, now: number) {
    this.spec = spec;
    this.#bucket = spec && newBucket(spec, now);
  }

  /** Upgrades refused since this budget was made (the shard reports it to the registry). */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Takes one upgrade costing `cost` (1 for a token, TICKET_ADMISSION_COST for a ticket) from
   * the budget at `now` (ms): 0 when admitted, else the `Retry-After` to send, whole seconds
   * >= 1: the refused client's slot among those refused before it, at the budget's rate
   * (protocol's `scheduleRetry`).
   */
  admit(now: number, cost = 1): number {
    if (this.spec === undefined || this.#bucket === undefined) return 0;
    if (take(this.#bucket, this.spec, now, cost) === 0) return 0;
    this.#refused += 1;
    return scheduleRetry(this.#retries, now, this.spec.ratePerSecond);
  }
}
