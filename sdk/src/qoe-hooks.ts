// Wires a TieredPlayer and its media element to a QoeReporter, so an app that attaches a player
// gets QoE beacons without calling the reporter itself: the element's `playing` is the first
// frame (then the end of a stall), `waiting` a stall, `error` a fatal failure; the player's
// WebRTC `playing` and `tierFallback` events cover the WebRTC tier. Latency to live is read from
// the player on every stall and resume. Returns the function that detaches and closes the
// reporter (an `exit_before_start` if no frame ever showed).

import type { QoeReporter } from './qoe-reporter.js';
import type { TieredPlayerEvents } from './tiered-player.js';

/** What the hook uses of a TieredPlayer. */
export interface QoePlayerLike {
  on<K extends keyof TieredPlayerEvents>(
    type: K,
    handler: (payload: TieredPlayerEvents[K]) => void,
  ): () => void;
  readonly delayMs: number | undefined;
}

/** What the hook uses of the media element (an HTMLVideoElement). */
export interface QoeMediaLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export function attachQoe(
  player: QoePlayerLike,
  media: QoeMediaLike,
  reporter: QoeReporter,
): () => void {
  reporter.requested();
  const onPlaying = () => {
    reporter.setLatency(player.delayMs);
    if (reporter.state === 'starting') reporter.firstFrame();
    else reporter.resumed();
  };
  const onWaiting = () => {
    reporter.setLatency(player.delayMs);
    reporter.stalled();
  };
  const onError = () => reporter.fatal('media_error');
  media.addEventListener('playing', onPlaying);
  media.addEventListener('waiting', onWaiting);
  media.addEventListener('error', onError);
  const offs = [
    player.on('playing', () => reporter.firstFrame()),
    player.on('tierFallback', (fallback) => reporter.tierFallback(fallback.reason, fallback.to)),
  ];
  return () => {
    media.removeEventListener('playing', onPlaying);
    media.removeEventListener('waiting', onWaiting);
    media.removeEventListener('error', onError);
    for (const off of offs) off();
    reporter.close();
  };
}
