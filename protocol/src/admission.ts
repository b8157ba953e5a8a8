// The admission contract both ends share: a shard's upgrade or the API's join refused with 503
// `overloaded` carries `Retry-After` (whole seconds) already spread by the server, and the
// client adds its own full jitter on top, so a crowd refused in the same second neither comes
// back in the same second nor all at the end of the window. Pure functions; `random` is
// injected (a number in [0, 1)).

/** Most seconds a server spreads its refused clients over (the `Retry-After` it sends is 1..this). */
export const ADMISSION_MAX_RETRY_AFTER_S = 10;

/**
 * The client's extra wait on top of `Retry-After`: uniform in [0, max(this, Retry-After)), ms.
 * With `Retry-After: 2` a client waits 2-4 s; with 1, 1-2 s.
 */
export const ADMISSION_CLIENT_JITTER_MIN_MS = 1_000;

/**
 * The `Retry-After` a server sends with a refusal, whole seconds in 1..ADMISSION_MAX_RETRY_AFTER_S:
 * the time its budget needs to serve the refusals of the last second (`backlogS`, at least the
 * `waitMs` until its next token), then a uniform draw within that span, so the refused crowd is
 * told to come back spread over it rather than all after the same second.
 */
export function admissionRetryAfterS(
  waitMs: number,
  backlogS: number,
  random: () => number,
): number {
  const spanS = Math.min(
    ADMISSION_MAX_RETRY_AFTER_S,
    Math.max(1, Math.ceil(waitMs / 1000), Math.ceil(backlogS)),
  );
  return 1 + Math.min(spanS - 1, Math.floor(random() * spanS));
}

/**
 * How long a client waits after a 503 with `Retry-After: retryAfterS`, ms: the server's figure
 * plus full jitter within max(ADMISSION_CLIENT_JITTER_MIN_MS, the same again). A missing or
 * unreadable header counts as 1 s.
 */
export function admissionRetryDelayMs(
  retryAfterS: number | undefined,
  random: () => number,
): number {
  const base =
    retryAfterS !== undefined && Number.isFinite(retryAfterS) && retryAfterS > 0
      ? Math.min(retryAfterS, ADMISSION_MAX_RETRY_AFTER_S * 6) * 1000
      : 1000;
  return Math.round(base + random() * Math.max(ADMISSION_CLIENT_JITTER_MIN_MS, base));
}

/** `Retry-After` as seconds (RFC 9110 delay-seconds form only); undefined when absent or not one. */
export function parseRetryAfterS(header: string | null | undefined): number | undefined {
  if (header == null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header.trim());
}
