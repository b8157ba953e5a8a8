// The admission contract both ends share: a shard's upgrade or the API's join refused with 503
// `overloaded` carries a `Retry-After` (whole seconds) that already spreads the refused crowd
// over the time the budget needs for it (each refused client gets the next free slot), and the
// client adds its own full jitter on top, so a crowd refused in the same second neither comes
// back in the same second nor is refused again and again. Pure functions; `random` is injected
// (a number in [0, 1)).

/** Most seconds a server tells a refused client to wait (`Retry-After` is 1..this). */
export const ADMISSION_MAX_RETRY_AFTER_S = 60;

/**
 * The client's extra wait on top of `Retry-After`: uniform in [0, max(this, a quarter of
 * Retry-After)), ms. The server has already spread the crowd over seconds; this decorrelates
 * the fans told the same second. With `Retry-After: 2` a client waits 2-3 s; with 20, 20-25 s.
 */
export const ADMISSION_CLIENT_JITTER_MIN_MS = 1_000;
export const ADMISSION_CLIENT_JITTER_SHARE = 0.25;

/** A server's queue of refused clients, as the time its next free retry slot starts. */
export interface RetrySchedule {
  /** ms, on the server's clock. */
  nextSlotAt: number;
}

/**
 * The `Retry-After` for one more refused client, whole seconds in 1..ADMISSION_MAX_RETRY_AFTER_S:
 * the client gets the next free slot at the budget's rate (`ratePerSecond`), so a crowd refused
 * at once is told to come back spread over the time the budget needs for all of it, instead of
 * all after the same second (and refused again). `now` and the schedule are ms.
 */
export function scheduleRetry(schedule: RetrySchedule, now: number, ratePerSecond: number): number {
  const slot = Math.max(now, schedule.nextSlotAt);
  schedule.nextSlotAt = Math.min(
    slot + 1000 / ratePerSecond,
    now + ADMISSION_MAX_RETRY_AFTER_S * 1000,
  );
  return Math.min(ADMISSION_MAX_RETRY_AFTER_S, Math.max(1, Math.ceil((slot - now) / 1000)));
}

/**
 * How long a client waits after a 503 with `Retry-After: retryAfterS`, ms: the server's figure
 * plus full jitter within max(ADMISSION_CLIENT_JITTER_MIN_MS, a quarter of it). A missing or
 * unreadable header counts as 1 s.
 */
export function admissionRetryDelayMs(
  retryAfterS: number | undefined,
  random: () => number,
): number {
  const base =
    retryAfterS !== undefined && Number.isFinite(retryAfterS) && retryAfterS > 0
      ? Math.min(retryAfterS, ADMISSION_MAX_RETRY_AFTER_S * 2) * 1000
      : 1000;
  const window = Math.max(ADMISSION_CLIENT_JITTER_MIN_MS, base * ADMISSION_CLIENT_JITTER_SHARE);
  return Math.round(base + random() * window);
}

/** `Retry-After` as seconds (RFC 9110 delay-seconds form only); undefined when absent or not one. */
export function parseRetryAfterS(header: string | null | undefined): number | undefined {
  if (header == null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header.trim());
}
