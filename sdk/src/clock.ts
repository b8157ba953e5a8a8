// Time as a seam: backoff waits, tap windows and chat retries all go through this interface, so
// tests drive them with a fake clock instead of sleeping. One definition for the SDK and co-watch:
// the seam is cowatch's (`Clock`, `TimerHandle`), imported through its public face.

import type { Clock } from '@fanfare/cowatch';

export type { Clock, TimerHandle } from '@fanfare/cowatch';

/**
 * The host's wall clock (`Date.now()`, ms since the epoch) with the host's timers. Timers are not
 * unref'd: a client that is reconnecting is work in progress and should keep a Node process alive
 * until the app calls `close()`. Clock sync uses cowatch's monotonic `systemClock` instead.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
