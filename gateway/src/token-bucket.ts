// A token bucket as plain data and one pure function, so a million sessions cost a few numbers
// each and tests need no timers.

export interface BucketSpec {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens the bucket holds (the burst). */
  burst: number;
}

export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function newBucket(spec: BucketSpec, now: number): Bucket {
  return { tokens: spec.burst, updatedAt: now };
}

/**
 * The tokens a bucket that held `tokens` at `updatedAt` holds at `now`: refilled at the rate,
 * capped at the burst. A clock that steps back refills nothing. For a bucket kept as loose
 * numbers rather than a `Bucket` (see `takeFrame` in session.ts).
 */
export function refill(tokens: number, updatedAt: number, spec: BucketSpec, now: number): number {
  const elapsed = Math.max(0, now - updatedAt);
  return Math.min(spec.burst, tokens + (elapsed * spec.ratePerSecond) / 1000);
}

/**
 * Takes `n` tokens if available. Returns 0 on success, else the ms until `n` tokens would be
 * there (nothing is taken).
 */
export function take(bucket: Bucket, spec: BucketSpec, now: number, n = 1): number {
  bucket.tokens = refill(bucket.tokens, bucket.updatedAt, spec, now);
  bucket.updatedAt = now;
  if (bucket.tokens >= n) {
    bucket.tokens -= n;
    return 0;
  }
  return Math.ceil(((n - bucket.tokens) * 1000) / spec.ratePerSecond);
}

/** Gives back `n` tokens (an action that was refused further down). */
export function refund(bucket: Bucket, spec: BucketSpec, n = 1): void {
  bucket.tokens = Math.min(spec.burst, bucket.tokens + n);
}
