// The one place the controller writes an element's playback rate, so every write and every
// reversal of a nudge's direction is counted (the oscillation tests hold those counts).

import type { MediaLike } from './media.js';
import type { SyncStats } from './sync-state.js';

/**
 * Sets `media.playbackRate` to `rate` (a nudge when it differs from the timeline's `base` rate),
 * counting a write only when the rate changes and a flip when a nudge's sign reverses the last
 * nudge's. Returns the sign to pass as `lastSign` next time (0: no nudge since the last reset).
 */
export function writeRate(
  media: MediaLike,
  stats: SyncStats,
  rate: number,
  base: number,
  lastSign: number,
): number {
  const sign = Math.sign(rate - base);
  let next = lastSign;
  if (sign !== 0) {
    if (lastSign !== 0 && sign !== lastSign) stats.rateFlips += 1;
    next = sign;
  }
  if (media.playbackRate !== rate) {
    media.playbackRate = rate;
    stats.rateChanges += 1;
  }
  return next;
}
