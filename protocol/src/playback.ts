// How a fan watches an event's video, as the join reply tells it. A discriminated union on
// `tier`: a client switches on `tier` and ignores tiers it does not know, so a new tier (the
// WebRTC tier through LiveKit, next) is an additive change to this union and to the join reply.

/** Tiers a join reply may offer, lowest latency last. Add tiers; never rename one. */
export const PLAYBACK_TIERS = ['ll-hls'] as const;
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
}

/** What the join reply's `playback` holds. */
export type Playback = LlHlsPlayback;
