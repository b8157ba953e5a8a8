// Time as a seam: backoff waits, tap windows and chat retries all go through this interface, so
// tests drive them with a fake clock instead of sleeping.

/** An opaque timer handle; only the clock that made it can clear it. */
export type TimerHandle = unknown;

/** What the client needs of time. The default uses the host's timers (browser or Node). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds unless cleared first. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The host's clock. Timers are not unref'd: a client that is reconnecting is work in progress
 * and should keep a Node process alive until the app calls `close()`.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
