// The fan page's join: the SDK's `apiJoin` (first as a new fan, then showing the last token to
// keep the same identity), with the reply's `playback` kept for the player when the engine hands
// one out, asking for the tiers `tiers()` names at each join. The API is this page's own origin.

import { apiJoin, type JoinFn } from '@fanfare/sdk';
import type { Playback, PlaybackTier } from '@fanfare/protocol';

export function pageJoin(
  eventId: string,
  name: string | undefined,
  onPlayback: (playback: Playback | undefined) => void,
  tiers: () => readonly PlaybackTier[],
): JoinFn {
  return apiJoin({
    apiUrl: location.origin,
    eventId,
    ...(name ? { name } : {}),
    tiers,
    // Reads the reply a second time for `playback`, which the SDK's join does not keep.
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (res.ok) {
        res
          .clone()
          .json()
          .then(
            (body: { playback?: Playback }) => onPlayback(body.playback),
            () => undefined, // the SDK reads the same body and reports a bad one
          );
      }
      return res;
    },
  });
}
