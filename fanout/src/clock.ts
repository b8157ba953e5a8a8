// Time as a seam: coalescing windows, presence intervals, rate limits and pings read the clock
// and arm timers only through `Clock`, so tests drive them with `ManualClock` instead of sleeping.

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** The real clock. Timers are unref'd so they never keep a closing process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};
