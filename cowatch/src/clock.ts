// Time as a seam: clock-sync pings, control ticks and seek-latency measurements read time and arm
// timers only through `Clock`, so tests and the simulator drive them with virtual time. The shape
// matches the SDK's `Clock`, so the SDK can pass its own.

/** An opaque timer handle; only the clock that made it can clear it. */
export type TimerHandle = unknown;

/** What co-watch needs of local time. */
export interface Clock {
  /**
   * Local milliseconds. Any origin works (offsets are learned against the server), but the clock
   * should be monotonic: a step (the OS adjusting `Date.now()`) looks like a jump of the shared
   * timeline until `ClockSync` confirms it (see docs/cowatch.md).
   */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds unless cleared first. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The server clock as the controller needs it; `ClockSync` provides it. */
export interface ServerTime {
  readonly synced: boolean;
  /** Server ms since the epoch. */
  serverNow(): number;
}

/**
 * The host's clock, browser or Node: `performance.timeOrigin + performance.now()`, which is
 * monotonic and on the epoch scale, so it never steps when the OS corrects the wall clock.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
