// When a viewer told `webrtc` gives up on it and plays the LL-HLS fallback: a pure rule over
// what the player observed, apart from the player so each case is a unit test. Trade-off: the
// bounds are short (a fan waiting on a black screen leaves), so a slow but working SFU path can
// lose a viewer to LL-HLS; the seat then lapses (60 s pending lease) for someone else.

/** From the start of the attempt to the first frame on screen, at most, ms. */
export const WEBRTC_FIRST_FRAME_BOUND_MS = 6_000;
/** Once playing, the picture may stand still at most this long, ms (LiveKit's own reconnect). */
export const WEBRTC_STALL_BOUND_MS = 3_000;

export interface TierFallbackBounds {
  firstFrameMs: number;
  stallMs: number;
}

export const DEFAULT_TIER_FALLBACK_BOUNDS: TierFallbackBounds = Object.freeze({
  firstFrameMs: WEBRTC_FIRST_FRAME_BOUND_MS,
  stallMs: WEBRTC_STALL_BOUND_MS,
});

/**
 * Why a viewer left WebRTC for LL-HLS: `unsupported` (no WebRTC client in this app or browser),
 * `connect-failed` (LiveKit refused or was unreachable), `connect-timeout` (no first frame within
 * the bound: a server that never answers, ICE that never completes, no track), `stalled` (the
 * picture stood still past the bound while playing), `disconnected` (the room went away).
 */
export const TIER_FALLBACK_REASONS = [
  'unsupported',
  'connect-failed',
  'connect-timeout',
  'stalled',
  'disconnected',
] as const;
export type TierFallbackReason = (typeof TIER_FALLBACK_REASONS)[number];

/** What the player saw of its WebRTC attempt, at one instant. */
export interface WebRtcObservation {
  /** Since the attempt began, ms. */
  elapsedMs: number;
  /** `room.connect` rejected. */
  connectFailed: boolean;
  /** The room disconnected after connecting (and LiveKit's own reconnect gave up). */
  disconnected: boolean;
  /** Since the picture last moved on, ms; undefined before the first frame. */
  sinceProgressMs: number | undefined;
}

/** The reason to fall back now, or undefined to stay on WebRTC. */
export function webrtcFallback(
  seen: WebRtcObservation,
  bounds: TierFallbackBounds = DEFAULT_TIER_FALLBACK_BOUNDS,
): TierFallbackReason | undefined {
  if (seen.connectFailed) return 'connect-failed';
  if (seen.disconnected) return 'disconnected';
  if (seen.sinceProgressMs === undefined) {
    return seen.elapsedMs >= bounds.firstFrameMs ? 'connect-timeout' : undefined;
  }
  return seen.sinceProgressMs >= bounds.stallMs ? 'stalled' : undefined;
}
