// The synchronised live edge as a pure rule: given how far behind live a player is (measured from
// EXT-X-PROGRAM-DATE-TIME: now minus the wall-clock time of the frame on screen) and the one
// target delay every viewer aims at, how fast it should play. Proportional control of the playback
// rate within a small bound, so viewers never see or hear the correction: the delay error decays
// as e(t) = e0 * exp(-GAIN * t) (a 2 s time constant), clipped to the bound. Inside a dead band the
// rate is exactly 1 (no endless tiny corrections); far off, a jump is cheaper than minutes of
// speed-up. Trade-off: the dead band sets the spread between two viewers (at most twice it).

/** The rate stays within 1 ± this (0.95-1.05: a 5 % pitch/tempo change is barely heard). */
export const LIVE_EDGE_MAX_RATE_DEVIATION = 0.05;
/** Rate deviation per second of delay error (1/s): error decays with a 2 s time constant. */
export const LIVE_EDGE_GAIN_PER_S = 0.5;
/** Within this of the target the rate is exactly 1, ms. Two viewers end within twice of it. */
export const LIVE_EDGE_DEAD_BAND_MS = 15;
/**
 * Farther than this from the target, seek instead of steering, ms: at 5 % a 600 ms error takes
 * 12 s to steer away, a jump (the start-up gap, a stall) is over at once.
 */
export const LIVE_EDGE_SEEK_BEYOND_MS = 600;

export interface LiveEdgeRule {
  maxRateDeviation: number;
  gainPerS: number;
  deadBandMs: number;
  seekBeyondMs: number;
}

export const DEFAULT_LIVE_EDGE_RULE: LiveEdgeRule = Object.freeze({
  maxRateDeviation: LIVE_EDGE_MAX_RATE_DEVIATION,
  gainPerS: LIVE_EDGE_GAIN_PER_S,
  deadBandMs: LIVE_EDGE_DEAD_BAND_MS,
  seekBeyondMs: LIVE_EDGE_SEEK_BEYOND_MS,
});

export type LiveEdgeStep =
  /** Play at `rate` (1 inside the dead band). */
  | { readonly kind: 'rate'; readonly rate: number }
  /** Move the play head by `seconds` (positive: toward live), then steer again. */
  | { readonly kind: 'seek'; readonly seconds: number };

/**
 * What a player `delayMs` behind live should do to reach `targetMs`. A player behind the target
 * (positive error) plays faster, one ahead of it slower; beyond `seekBeyondMs` it seeks, but only
 * forward as far as `bufferedAheadMs` allows (never into a hole), and back freely.
 */
export function steerLiveEdge(
  delayMs: number,
  targetMs: number,
  bufferedAheadMs: number,
  rule: LiveEdgeRule = DEFAULT_LIVE_EDGE_RULE,
): LiveEdgeStep {
  const errorMs = delayMs - targetMs;
  if (Math.abs(errorMs) > rule.seekBeyondMs) {
    // Forward only into what is buffered, keeping one dead band of it; back by the whole error.
    const forwardMs = Math.min(errorMs, bufferedAheadMs - rule.deadBandMs);
    if (errorMs < 0) return { kind: 'seek', seconds: errorMs / 1000 };
    if (forwardMs > rule.seekBeyondMs / 2) return { kind: 'seek', seconds: forwardMs / 1000 };
  }
  if (Math.abs(errorMs) <= rule.deadBandMs) return { kind: 'rate', rate: 1 };
  const deviation = (errorMs / 1000) * rule.gainPerS;
  const bounded = Math.max(-rule.maxRateDeviation, Math.min(rule.maxRateDeviation, deviation));
  // Rounded to 1/1000: media elements ignore finer steps, and equal inputs give equal rates.
  return { kind: 'rate', rate: Math.round((1 + bounded) * 1000) / 1000 };
}
