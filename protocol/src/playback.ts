// How a fan watches an event's video, as the join reply tells it. A discriminated union on
// `tier`: a client switches on `tier` and ignores tiers it does not know, so a new tier (the
// WebRTC tier through LiveKit, next) is an additive change to this union and to the join reply.

/** Tiers a join reply may offer, lowest latency last. Add tiers; never rename one. */
export const PLAYBACK_TIERS = ['ll-hls', 'webrtc'] as const;
export type PlaybackTier = (typeof PLAYBACK_TIERS)[number];

/** Low-latency HLS from Fanfare's own origin (docs/media.md). */
export interface LlHlsPlayback {
  tier: 'll-hls';
  /**
   * The master playlist URL, playable as it is: it carries a signed playback token bound to the
   * event and the viewer as a path segment, so every playlist, init segment and part request
   * made relative to it is authorised too. Never log it whole.
   */
  url: string;
  /** When the playback token expires, ms since the Unix epoch: join again before then. */
  expiresAt: number;
  /** The LL-HLS URL: every playback carries it, so a client finds its fallback in one place. */
  fallback: string;
  /**
   * The delay behind live, ms, that every viewer's player aims at (the SDK's LivePlayer
   * `targetLatencyMs`), so all viewers see the same moment. Absent: the playlist's
   * PART-HOLD-BACK, which is the same for every viewer of a stream too.
   */
  targetLatencyMs?: number;
}

/**
 * Sub-second WebRTC through a LiveKit SFU (docs/livekit.md), given while the event's seats last
 * and only to a join that asked for it (`"tiers": ["webrtc"]`). Connect with livekit-client:
 * `room.connect(url, token)`; if that fails or stalls, play `fallback`.
 */
export interface WebRtcPlayback {
  tier: 'webrtc';
  /** The LiveKit server's signalling URL (`wss://…`). */
  url: string;
  /** A subscribe-only LiveKit access token for `room`, short-lived: connect at once. */
  token: string;
  /** The LiveKit room of the event. */
  room: string;
  /** When `token` stops admitting a connection, ms since the Unix epoch. */
  expiresAt: number;
  /** The LL-HLS master playlist URL (with its playback token) to play when WebRTC fails. */
  fallback: string;
  /** The fallback's event-wide target delay behind live, ms, as on `LlHlsPlayback`. */
  targetLatencyMs?: number;
}

/** What the join reply's `playback` holds. */
export type Playback = LlHlsPlayback | WebRtcPlayback;
