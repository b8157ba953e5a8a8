// Where a low-latency player should start, as a pure rule over the first media playlist. hls.js
// starts at `edge - target` but plays nothing until the whole segment holding that position is
// buffered (it loads the segment part by part, from its INDEPENDENT part, and seeks to the start
// only once the segment's last part is in). A start inside the segment still being written
// therefore waits for the encoder to finish that segment: up to a segment duration of real time
// (0.6-0.8 s of the 1.4 s first frame measured with 1 s segments). Starting inside the last
// complete segment instead costs only fetching its parts, which all exist. The price is a start
// further behind live (up to a segment), which the rate steering then takes back.

/** What the rule reads of a media playlist (hls.js's LevelDetails has these), seconds. */
export interface LiveStartPlaylist {
  /** End of the last listed part (the live edge as the playlist knows it). */
  readonly edge: number;
  /** Start of the last complete segment's first sample, and its end. */
  readonly lastSegmentStart: number;
  readonly lastSegmentEnd: number;
}

/**
 * Media kept between the start position and the end of the start segment, seconds: when the
 * segment is in, playback begins with at least this much buffered while the parts after it load
 * (each one a blocking playlist reload and a part request).
 */
export const LIVE_START_MIN_AHEAD_S = 0.3;

/**
 * The delay behind the playlist's edge to start at, seconds: the target when `edge - target` lies
 * in the last complete segment with `minAheadS` of it after the start; otherwise as late in that
 * segment as `minAheadS` allows (never before its start, where its independent part is).
 */
export function liveStartLatency(
  playlist: LiveStartPlaylist,
  targetS: number,
  minAheadS: number = LIVE_START_MIN_AHEAD_S,
): number {
  const { edge, lastSegmentStart, lastSegmentEnd } = playlist;
  const latest = Math.max(lastSegmentStart, lastSegmentEnd - minAheadS);
  const start = Math.min(edge - targetS, latest);
  return Math.max(targetS, edge - start);
}

/** A start-up jump shorter than this is left to the rate steering, ms. */
export const LIVE_START_JUMP_MIN_MS = 100;

/**
 * After a quick start (the first buffered part shown at once, behind the start position), how far
 * to jump forward, seconds (0: not now): toward the target, but keeping `minAheadS` buffered after
 * the new play head, as the start rule does. hls.js makes the same jump when its first segment is
 * in, but skips it while the quick start's own seek is still pending (a loaded machine).
 */
export function liveStartJumpS(
  delayMs: number,
  targetMs: number,
  bufferedAheadMs: number,
  minAheadS: number = LIVE_START_MIN_AHEAD_S,
): number {
  const forwardMs = Math.min(delayMs - targetMs, bufferedAheadMs - minAheadS * 1000);
  return forwardMs >= LIVE_START_JUMP_MIN_MS ? forwardMs / 1000 : 0;
}
