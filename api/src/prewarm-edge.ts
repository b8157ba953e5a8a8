// Readiness item `cdn_edge`: the pre-warm requests the event's master playlist, its media
// playlists and their init segments through MEDIA_PUBLIC_URL (the CDN edge fans use; media's
// warmEdge), with a short-lived playback token for a viewer named PREWARM_VIEWER, so the edge
// checks it as it checks a fan's. Ready with what was fetched; failed with the status or error.

import { warmEdge } from '@fanfare/media';
import type { ReadinessItem } from '@fanfare/protocol';
import type { PlaybackIssuer } from './playback.js';

/** The viewer the pre-warm's playback token names (the origin's logs show it as such). */
export const PREWARM_VIEWER = 'prewarm';
/** How long that token lives, ms: long enough for the warm-up's few requests. */
export const PREWARM_PLAYBACK_TTL_MS = 60_000;

export async function edgeReadiness(
  playback: PlaybackIssuer,
  eventId: string,
  now: number,
): Promise<ReadinessItem> {
  const { url } = playback.issue(eventId, PREWARM_VIEWER, now + PREWARM_PLAYBACK_TTL_MS);
  const warm = await warmEdge(url);
  if (!warm.ok) return { item: 'cdn_edge', state: 'failed', reason: warm.reason };
  return {
    item: 'cdn_edge',
    state: 'ready',
    reason:
      `fetched the master playlist, ${warm.mediaPlaylists} media playlist(s) and ` +
      `${warm.initSegments} init segment(s), ${warm.bytes} bytes, through ${new URL(url).origin}`,
  };
}
