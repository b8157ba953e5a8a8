// The event's stream in a <video>: the SDK's LivePlayer (hls.js, loaded on first use so a page
// without a stream never downloads it, started on the lowest rendition and steered toward one
// delay behind live, measured from program date-time against the server's clock), or the
// browser's own HLS where there is no MSE (iOS Safari). The source is the join reply's
// `playback`; without one (no media service configured) the status stays `none` and the page
// shows its no-stream state. A tier this hook does not know is treated as no stream; WebRTC (the
// LiveKit tier) slots in here as a second `tier`.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Playback } from '@fanfare/protocol';
import { LivePlayer } from '@fanfare/sdk';
import { useFanfare } from './provider.js';

export type PlaybackStatus = 'none' | 'loading' | 'playing' | 'error';

export interface PlaybackState {
  status: PlaybackStatus;
  /** What failed, when status is `error`. */
  error: string | undefined;
  /**
   * How far behind live the picture is now, ms (server time minus the program date-time at the
   * play head); undefined before playback or on native HLS. The seam for spoiler-free chat: a
   * message sent at server time `ts` is on screen once `serverNow() - liveDelayMs() >= ts`.
   */
  liveDelayMs(): number | undefined;
  /**
   * The program date-time of the frame at the play head now, ms since the epoch (the packager's,
   * i.e. the server's, clock), read fresh each call; undefined before playback or without it
   * (native HLS). Spoiler-free mode's clock (useSpoilerFreePlayer).
   */
  playerTimeMs(): number | undefined;
}

export interface PlaybackOptions {
  /** The delay behind live to steer to, ms; absent: the playlist's PART-HOLD-BACK. */
  targetLatencyMs?: number;
}

export function usePlayback(
  video: HTMLVideoElement | null,
  source: Playback | undefined,
  options: PlaybackOptions = {},
): PlaybackState {
  const client = useFanfare();
  const [status, setStatus] = useState<PlaybackStatus>('none');
  const [error, setError] = useState<string>();
  const player = useRef<LivePlayer | undefined>(undefined);
  const url = source?.tier === 'll-hls' ? source.url : undefined;
  const { targetLatencyMs } = options;

  useEffect(() => {
    if (!video || url === undefined) {
      setStatus('none');
      return;
    }
    let cancelled = false;
    let destroy = (): void => undefined;
    const playing = (): void => setStatus('playing');
    video.addEventListener('playing', playing);
    setStatus('loading');
    setError(undefined);
    // Program date-time is the packager's clock: measure against the server's, not the device's.
    const release = client.serverTime.hold();
    // hls.js wherever Media Source Extensions exist; the browser's own HLS only without them.
    // Chromium now answers canPlayType for HLS too, so that cannot decide.
    import('hls.js').then(
      ({ default: Hls }) => {
        if (cancelled) return;
        if (!Hls.isSupported()) {
          if (video.canPlayType('application/vnd.apple.mpegurl')) {
            video.src = url;
            destroy = () => video.removeAttribute('src');
            return;
          }
          setStatus('error');
          setError('this browser cannot play HLS');
          return;
        }
        const live = new LivePlayer({
          Hls,
          media: video,
          url,
          targetLatencyMs,
          now: () => (client.serverTime.synced ? client.serverNow() : Date.now()),
        });
        live.hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          setStatus('error');
          setError(data.details);
        });
        player.current = live;
        destroy = () => {
          live.close();
          player.current = undefined;
        };
      },
      (err: unknown) => {
        setStatus('error');
        setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
      video.removeEventListener('playing', playing);
      destroy();
      release();
    };
  }, [client, video, url, targetLatencyMs]);

  const liveDelayMs = useCallback(() => player.current?.delayMs, []);
  const playerTimeMs = useCallback(() => player.current?.playingAtMs, []);
  return { status, error, liveDelayMs, playerTimeMs };
}
