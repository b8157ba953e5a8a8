// The event's stream in a <video>: LL-HLS through hls.js (loaded on first use, so a page without
// a stream never downloads it), or the browser's own HLS where there is no MSE (iOS Safari). The source
// is the join reply's `playback`; without one (no media service configured) the status stays
// `none` and the page shows its no-stream state. A tier this hook does not know is treated as no
// stream; WebRTC (the LiveKit tier) slots in here as a second `tier` when it lands.

import { useEffect, useState } from 'react';
import type { Playback } from '@fanfare/protocol';

export type PlaybackStatus = 'none' | 'loading' | 'playing' | 'error';

export interface PlaybackState {
  status: PlaybackStatus;
  /** What failed, when status is `error`. */
  error: string | undefined;
}

export function usePlayback(
  video: HTMLVideoElement | null,
  source: Playback | undefined,
): PlaybackState {
  const [status, setStatus] = useState<PlaybackStatus>('none');
  const [error, setError] = useState<string>();
  const url = source?.tier === 'll-hls' ? source.url : undefined;

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
    // hls.js wherever Media Source Extensions exist (its LL-HLS is the one we test); the
    // browser's own HLS only without them (iOS Safari). Chromium now answers canPlayType for
    // HLS too, so that cannot decide.
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
        const hls = new Hls({ lowLatencyMode: true });
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          setStatus('error');
          setError(data.details);
        });
        hls.loadSource(url);
        hls.attachMedia(video);
        destroy = () => hls.destroy();
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
    };
  }, [video, url]);

  return { status, error };
}
