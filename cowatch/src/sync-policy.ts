// The thresholds of the sync controller and the pure arithmetic behind its decisions, apart from
// the stateful controller so each rule can be read and tested alone. The reasoning for every value
// is repeated in docs/cowatch.md; change both together.

/** Control loop period, ms. Ten looks a second keeps reaction well under the 12 ms band's slack. */
export const CONTROL_TICK_MS = 100;

/**
 * Drift (media position minus the timeline's, ms) above which the controller starts correcting:
 * the dead band. Two members each within it are at most 24 ms apart, under the 30 ms gap goal,
 * with clock error on top; below it, corrections would cost more (rate wobble) than they buy.
 */
export const DRIFT_ENTER_MS = 12;

/**
 * Drift below which a correction stops and the rate returns to the timeline's. Well under the
 * entry band (hysteresis): a member that just stopped correcting needs to drift 17 ms before the
 * next correction starts, which at realistic clock drift (under 0.1 ms/s) takes minutes.
 */
export const DRIFT_EXIT_MS = 4;

/**
 * How long after a change of its own takes effect (a new timeline at its `at`, a start the
 * controller made) the controller corrects any drift above DRIFT_EXIT_MS, not only above
 * DRIFT_ENTER_MS, local ms. Such a change moves the element by an amount no clock noise explains:
 * an element applies a new `playbackRate` some tens of ms after the assignment (browsers do not
 * say when), so a rate step of 0.25 leaves 5-25 ms behind, which the dead band kept for as long
 * as the rate lasted (a 30.3 ms gap between two members, path-80±40, seed 2); a start lands
 * within the spread of the start latency. One second covers the rate-change latency (20-100 ms
 * in the simulator) and a few ticks; after it the dead band applies again, so estimate noise
 * is not chased.
 */
export const SETTLE_WINDOW_MS = 1_000;

/**
 * Proportional gain as a time constant: a correction aims to remove the drift at `drift / tau`
 * per second, so 100 ms of drift asks for a 20 % nudge (capped below). 500 ms stays well above
 * the loop's own delay (tick plus the element's rate-change latency, ~200 ms), so it never
 * overshoots into a flip.
 */
export const RATE_TIME_CONSTANT_MS = 500;

/** Largest nudge, as a fraction of the timeline's rate. With pitch preserved, 8 % is hard to hear. */
export const MAX_RATE_NUDGE = 0.08;

/** Nudges are rounded to this fraction of the rate, so tiny drift changes do not rewrite the rate. */
export const RATE_QUANTUM = 0.005;

/**
 * Drift above which the controller seeks instead of nudging. At the 8 % cap, 200 ms takes 2.5 s
 * to absorb; beyond that a seek (a short freeze, landing within tens of ms) is the better trade.
 */
export const SEEK_ENTER_MS = 200;

/** Seek latency assumed before any seek was measured, ms (a local, buffered seek is ~50-300 ms). */
export const SEEK_LATENCY_GUESS_MS = 150;

/**
 * Start latency assumed before any start was measured, ms: from `play()` on a paused, buffered
 * element to `playing`. Learned like the seek latency; a start is called this early, so frames
 * move at the instant the timeline names.
 */
export const PLAY_LATENCY_GUESS_MS = 30;

/**
 * How much longer than the learned seek latency a corrective seek aims, as a fraction: it lands
 * ahead of the timeline, holds, and starts on the spot (seek-and-hold), so the spread of seek
 * latencies (a quarter either way is common) costs a slightly longer still frame, never a
 * residual error.
 */
export const SEEK_AIM_MARGIN = 0.3;

/**
 * Longest the controller holds a paused element ahead of a playing timeline, waiting for the
 * timeline to reach its frame, ms. Further ahead, it seeks instead. A start's lead (300 ms at the
 * server) and a seek-and-hold's margin are well within it.
 */
export const MAX_HOLD_MS = 1_000;

/** Weight of the newest measurement in the seek-latency average (recent seeks matter most). */
export const SEEK_LATENCY_WEIGHT = 0.3;

/** A seek without `seeked` after this long is given up on (the element may have lost the event). */
export const SEEK_TIMEOUT_MS = 5_000;

/**
 * Minimum time between two corrective seeks, ms, doubled after each seek that missed (landed
 * beyond the seek threshold although the latency was known), so an element whose seeks land
 * unpredictably is not seeked in a loop; rate nudging works on meanwhile. A new cause of drift
 * (a new timeline from the host, the end of a stall) bypasses it: those are followed at once.
 */
export const SEEK_COOLDOWN_MS = 1_000;

/** Doublings of the seek cooldown after consecutive missed seeks (x8 at most: 8 s). */
export const MAX_SEEK_BACKOFF_STEPS = 3;

/**
 * The rate that removes `driftMs` over `RATE_TIME_CONSTANT_MS`: below `baseRate` when ahead,
 * above when behind, at most `MAX_RATE_NUDGE` of `baseRate` away, rounded to `RATE_QUANTUM`.
 */
export function correctionRate(driftMs: number, baseRate: number): number {
  const nudge = Math.min(
    MAX_RATE_NUDGE,
    Math.max(-MAX_RATE_NUDGE, -driftMs / RATE_TIME_CONSTANT_MS),
  );
  return baseRate * (1 + Math.round(nudge / RATE_QUANTUM) * RATE_QUANTUM);
}

/**
 * Where to seek so the media lands on the timeline: the position the timeline will have once the
 * seek completes (`latencyMs` from now), or the position itself when paused. Seconds.
 */
export function seekTarget(
  positionNow: number,
  rate: number,
  paused: boolean,
  latencyMs: number,
): number {
  return paused ? positionNow : positionNow + (latencyMs / 1000) * rate;
}

/**
 * The seek-latency average after one more measurement. The first measurement replaces the guess
 * outright (`samples` = measurements before this one): the guess carries no information.
 */
export function learnLatency(averageMs: number, measuredMs: number, samples: number): number {
  if (samples === 0) return measuredMs;
  return averageMs + SEEK_LATENCY_WEIGHT * (measuredMs - averageMs);
}

/** Drift above which to seek, ms: any visible error when paused, else what rate cannot absorb. */
export function seekThresholdMs(pausedTimeline: boolean): number {
  return pausedTimeline ? DRIFT_ENTER_MS : SEEK_ENTER_MS;
}

/**
 * Drift above which to nudge the rate, ms: DRIFT_EXIT_MS while correcting (the hysteresis) and
 * while settling a change of the controller's own (`sinceChangeMs` from one tick to
 * SETTLE_WINDOW_MS after it took effect), DRIFT_ENTER_MS otherwise. Not in the first tick: until
 * the element applies a new rate, the drift it shows is the one from before the change, and a
 * nudge on it could point against the lag about to come (a flip).
 */
export function nudgeBandMs(correcting: boolean, sinceChangeMs: number, tickMs: number): number {
  const settling = sinceChangeMs >= tickMs && sinceChangeMs < SETTLE_WINDOW_MS;
  return correcting || settling ? DRIFT_EXIT_MS : DRIFT_ENTER_MS;
}

/** Cooldown between corrective seeks, ms, after `misses` consecutive missed seeks. */
export function seekCooldownMs(misses: number): number {
  return SEEK_COOLDOWN_MS * 2 ** Math.min(misses, MAX_SEEK_BACKOFF_STEPS);
}
