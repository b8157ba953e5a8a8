// When each bench sender's messages are due. Pure arithmetic on elapsed time so the schedule is
// testable without timers. Senders are staggered across one interval so that N senders at R
// messages per second give an even stream of N * R per second, not N-message bursts.

export interface PaceSchedule {
  /** Messages per second for this sender. */
  ratePerS: number;
  /** Delay of this sender's first message after the common start, ms. */
  offsetMs: number;
  /** Messages this sender sends over the whole phase. */
  total: number;
}

/** The schedule of sender `index` of `senders`, each at `ratePerS`, over `durationMs`. */
export function paceSchedule(
  index: number,
  senders: number,
  ratePerS: number,
  durationMs: number,
): PaceSchedule {
  const intervalMs = 1000 / ratePerS;
  const offsetMs = (index / senders) * intervalMs;
  const total = offsetMs < durationMs ? Math.ceil((durationMs - offsetMs) / intervalMs) : 0;
  return { ratePerS, offsetMs, total };
}

/** How many messages should have gone out `elapsedMs` after the start. */
export function dueCount(schedule: PaceSchedule, elapsedMs: number): number {
  if (elapsedMs < schedule.offsetMs) return 0;
  const due = Math.floor(((elapsedMs - schedule.offsetMs) * schedule.ratePerS) / 1000) + 1;
  return Math.min(due, schedule.total);
}

/** When message `n` (from 0) of the schedule is due, ms after the start. */
export function dueAt(schedule: PaceSchedule, n: number): number {
  return schedule.offsetMs + (n * 1000) / schedule.ratePerS;
}
