// What the join reply's `playback` is made of: the seam between the join and the video tiers.
// The join calls it only after the event, entitlement, ban and country checks passed. Today one
// tier, LL-HLS from Fanfare's own origin: a master playlist URL carrying a playback token (an
// HMAC bound to the event and the viewer, checked by the origin or an edge with no database
// call; media/src/playback-token.ts). Minting is a local HMAC: no call to the media service.

import { masterPlaylistPath, mintPlaybackToken } from '@fanfare/media';
import type { LlHlsPlayback } from '@fanfare/protocol';

/** The seam: what a viewer who passed the join's checks may watch. */
export interface PlaybackIssuer {
  /**
   * The playback of `eventId` for `viewerId`, valid until `expiresAt` (ms since the epoch, the
   * fan token's expiry, so one rejoin renews both). Synchronous and cheap: no I/O.
   */
  issue(eventId: string, viewerId: string, expiresAt: number): LlHlsPlayback;
}

export interface LlHlsPlaybackOptions {
  /** MEDIA_TOKEN_SECRET: the HMAC key the media origin (and any checking edge) holds too. */
  secret: Buffer;
  /** MEDIA_PUBLIC_URL: the origin or CDN base URL fans reach, without a trailing slash. */
  publicUrl: string;
  /** MEDIA_TARGET_LATENCY_MS: the target delay every viewer aims at; absent: PART-HOLD-BACK. */
  targetLatencyMs?: number | undefined;
}

/** LL-HLS: the master playlist URL with a signed token for the event and the viewer. */
export class LlHlsPlaybackIssuer implements PlaybackIssuer {
  readonly #secret: Buffer;
  readonly #base: string;
  readonly #targetLatencyMs: number | undefined;

  constructor(options: LlHlsPlaybackOptions) {
    this.#secret = options.secret;
    this.#base = options.publicUrl.replace(/\/+$/, '');
    this.#targetLatencyMs = options.targetLatencyMs;
  }

  issue(eventId: string, viewerId: string, expiresAt: number): LlHlsPlayback {
    // The token counts whole seconds; rounding down never outlives the fan token.
    const exp = Math.floor(expiresAt / 1000);
    const token = mintPlaybackToken(this.#secret, { eventId, viewerId, exp });
    const url = `${this.#base}${masterPlaylistPath(eventId, token)}`;
    const playback: LlHlsPlayback = { tier: 'll-hls', url, expiresAt: exp * 1000, fallback: url };
    if (this.#targetLatencyMs !== undefined) playback.targetLatencyMs = this.#targetLatencyMs;
    return playback;
  }
}
