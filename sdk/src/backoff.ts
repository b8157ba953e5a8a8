// How long to wait before reconnecting. Full jitter (a uniform draw below an exponential cap)
// spreads a crowd of fans dropped at the same instant across the whole window, so a gateway
// that comes back is not hit by all of them at once; the price is that one unlucky fan may
// wait nearly the full cap.

/** Exponential backoff bounds, in milliseconds. */
export interface BackoffOptions {
  /** The cap of the first wait. */
  initialMs: number;
  /** No wait is ever longer than this. */
  maxMs: number;
  /** How much the cap grows per failed attempt. */
  factor: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
});

/**
 * After close code 4000 (`server_restart`) the shard is draining and its peers are up, so the
 * fan reconnects at once, spread over this window so a whole shard's fans do not arrive together.
 */
export const RESTART_JITTER_MS = 1_000;

/** The upper bound of the wait before attempt `attempt` (0-based): min(max, initial * factor^n). */
export function backoffCap(attempt: number, options: BackoffOptions): number {
  return Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
}

/**
 * The wait before attempt `attempt` (0-based), drawn uniformly from [0, cap] ("full jitter").
 * `random` returns a number in [0, 1]; 1 gives exactly the cap.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  return Math.floor(random() * backoffCap(attempt, options));
}

/** The wait after a `server_restart` close: [0, RESTART_JITTER_MS]. */
export function restartDelay(random: () => number): number {
  return Math.floor(random() * RESTART_JITTER_MS);
}
