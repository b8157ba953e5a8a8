// When fans get a new viewer count: a pure rule, asked once per presence interval with the
// event's total, the total last sent and the time since. The shards still exchange their counts
// every interval (one small bus message per shard); only the frame to every fan is paced. Each
// report costs one frame per fan (~10 CPU-µs each on a loopback shard), so a room of 19,000 at one
// report a second spent ~0.2 of its shard's core on a figure nobody reads to the unit. The rule
// keeps the event's fans to a fixed frame budget: a room of 40 or 2,000 still ticks every second,
// a room of 73,412 every 10 s. Trade-off: a large room's count is up to 10 s old on screen (the
// welcome and a drained fan's catch-up carry the live total, so nobody starts from a stale one).
//
// Frames per fan per second at each size (1 s interval; gaps are rounded up to whole intervals
// because the rule is only asked on the interval's ticks; the count changing every tick):
//
//   viewers     gap     per fan   all fans of the event
//   ≤ 2,000     1 s     1         ≤ 2,000/s
//   5,000       3 s     0.33      1,667/s
//   10,000      5 s     0.2       2,000/s
//   19,000      10 s    0.1       1,900/s   (a full shard: ~0.02 of its core, was ~0.2)
//   ≥ 20,000    10 s    0.1       viewers/10 in all, ≤ 1,900/s on any one full shard
//
// A move of PRESENCE_JUMP_FRACTION or more may go out after half the gap: while the count swings,
// the budget at most doubles.

/** Frames per second the rule aims at for all of an event's fans together (until the 10 s cap). */
export const PRESENCE_FRAMES_PER_S = 2000;
/** The longest a changed count waits before fans see it, ms. */
export const PRESENCE_MAX_GAP_MS = 10_000;
/** A change of this fraction of the last count sent (10 %) may be sent after half the gap. */
export const PRESENCE_JUMP_FRACTION = 0.1;

/**
 * How fast fans see a changing count. `framesPerS` > 0: with V viewers the gap is at least
 * V / framesPerS seconds; `maxGapMs`: the gap never exceeds it (unless the interval does);
 * `jumpFraction` > 0: a change of at least this fraction of the last count sent needs half the gap.
 */
export interface PresenceCadence {
  framesPerS: number;
  maxGapMs: number;
  jumpFraction: number;
}

export const PRESENCE_CADENCE: PresenceCadence = Object.freeze({
  framesPerS: PRESENCE_FRAMES_PER_S,
  maxGapMs: PRESENCE_MAX_GAP_MS,
  jumpFraction: PRESENCE_JUMP_FRACTION,
});

/**
 * The least time between two counts sent to fans when `viewers` watch, ms: `viewers` spread
 * over the frame budget, at least `intervalMs` (the exchange interval, > 0) and at most the
 * larger of `maxGapMs` and `intervalMs`.
 */
export function presenceGapMs(
  viewers: number,
  intervalMs: number,
  cadence: PresenceCadence = PRESENCE_CADENCE,
): number {
  const budgeted = (viewers * 1000) / cadence.framesPerS;
  return Math.max(intervalMs, Math.min(budgeted, cadence.maxGapMs));
}

/** What the rule is asked on each tick. */
export interface PresenceNow {
  /** The event's viewers now, across shards (a non-negative integer). */
  viewers: number;
  /** The count fans were last sent; undefined before the first. */
  reported: number | undefined;
  /** Time since that count was sent, ms (in whole intervals: the ticks since, × the interval). */
  sinceMs: number;
}

/**
 * Whether fans get `now.viewers` on this tick: never when it equals the count last sent; at once
 * for the first count; otherwise once `sinceMs` reaches the gap for the current audience, or half
 * that gap (never less than `intervalMs`) when the count moved by `jumpFraction` or more.
 */
export function presenceDue(
  now: PresenceNow,
  intervalMs: number,
  cadence: PresenceCadence = PRESENCE_CADENCE,
): boolean {
  const { viewers, reported, sinceMs } = now;
  if (viewers === reported) return false;
  if (reported === undefined) return true;
  const gap = presenceGapMs(viewers, intervalMs, cadence);
  if (sinceMs >= gap) return true;
  // From or to 0 every change is a jump; the relative move is measured from the count shown.
  const jump = Math.abs(viewers - reported) >= cadence.jumpFraction * reported;
  return jump && sinceMs >= Math.max(intervalMs, gap / 2);
}
