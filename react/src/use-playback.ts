// The event's stream in a <video>, whatever tier the join reply names: the SDK's TieredPlayer
// plays WebRTC through LiveKit (livekit-client, loaded only for a `webrtc` playback) and switches
// to the LL-HLS `fallback` when it fails or stalls within the SDK's bounds, reporting the switch;
// LL-HLS plays through the SDK's LivePlayer (hls.js, loaded on first use, started on the lowest
// rendition and steered toward one delay behind live against the server's clock), or through the
// browser's own HLS where there is no MSE (iOS Safari). Without a `playback` (no media service
// configured) the status stays `none` and the page shows its no-stream state. A tier this hook
// does not know is treated as no stream. The player reports QoE over the fan's socket (the SDK's
// QoeReporter through `attachQoe`): the video start counts from the moment this hook starts the
// playback, so loading hls.js or livekit-client is part of the start a viewer waits through.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Playback, PlaybackTier } from '@fanfare/protocol';
import {
  QoeReporter,
  TieredPlayer,
  attachQoe,
  type RoomClass,
  type TierFallback,
} from '@fanfare/sdk';
import { useFanfare } from './provider.js';

export type PlaybackStatus = 'none' | 'loading' | 'playing' | 'error';

export interface PlaybackState {
  status: PlaybackStatus;
  /** What failed, when status is `error`. */
  error: string | undefined;
  /** The tier playing (or being tried) now; undefined without a stream. */
  tier: PlaybackTier | undefined;
  /** Why WebRTC was given up for LL-HLS, once it was (the SDK's `tierFallback` event). */
  fallback: TierFallback | undefined;
  /**
   * How far behind live the picture is now, ms (server time minus the program date-time at the
   * play head); undefined before playback, on native HLS and on WebRTC (sub-second). The seam for
   * spoiler-free chat: a message sent at server time `ts` is on screen once
   * `serverNow() - liveDelayMs() >= ts`.
   */
  liveDelayMs(): number | undefined;
  /**
   * The program date-time of the frame at the play head now, ms since the epoch (the packager's,
   * i.e. the server's, clock), read fresh each call; undefined before playback or without it
   * (native HLS). On WebRTC, whose picture is sub-second behind live, the server's time now.
   * Spoiler-free mode's clock (useSpoilerFreePlayer).
   */
  playerTimeMs(): number | undefined;
}

export interface PlaybackOptions {
  /** The delay behind live LL-HLS steers to, ms; absent: the playlist's PART-HOLD-BACK. */
  targetLatencyMs?: number | undefined;
  /** Called once when the player leaves WebRTC for LL-HLS (QoE reporting hooks in here). */
  onTierFallback?: (fallback: TierFallback) => void;
}

/** Whether this browser can run a WebRTC viewer (what a join may ask for). */
export function webrtcPlayable(): boolean {
  return typeof globalThis.RTCPeerConnection === 'function';
}

export function usePlayback(
  video: HTMLVideoElement | null,
  source: Playback | undefined,
  options: PlaybackOptions = {},
): PlaybackState {
  const client = useFanfare();
  const [status, setStatus] = useState<PlaybackStatus>('none');
  const [error, setError] = useState<string>();
  const [tier, setTier] = useState<PlaybackTier>();
  const [fallback, setFallback] = useState<TierFallback>();
  const player = useRef<
    | {
        readonly delayMs: number | undefined;
        readonly playingAtMs: number | undefined;
        tier: string;
      }
    | undefined
  >(undefined);
  const { targetLatencyMs } = options;
  const onTierFallback = useRef(options.onTierFallback);
  onTierFallback.current = options.onTierFallback;
  // One playback per URL (LL-HLS) or token (WebRTC): a new join's reply restarts the player.
  const known = source?.tier === 'll-hls' || source?.tier === 'webrtc' ? source : undefined;
  const key = known === undefined ? undefined : known.tier === 'webrtc' ? known.token : known.url;
  const latest = useRef(known);
  latest.current = known;

  useEffect(() => {
    const playback = latest.current;
    if (!video || key === undefined || playback === undefined) {
      setStatus('none');
      setTier(undefined);
      return;
    }
    let cancelled = false;
    let destroy = (): void => undefined;
    const playing = (): void => setStatus('playing');
    video.addEventListener('playing', playing);
    setStatus('loading');
    setError(undefined);
    setFallback(undefined);
    setTier(playback.tier);
    // Program date-time is the packager's clock: measure against the server's, not the device's.
    const release = client.serverTime.hold();
    const qoe = new QoeReporter({
      send: (beacon) => client.reportQoe(beacon),
      tier: playback.tier,
    });
    qoe.requested();
    // Closing an unattached reporter before its first frame reports an exit before video start.
    let detachQoe = (): void => qoe.close();
    const room: Promise<RoomClass | undefined> =
      playback.tier === 'webrtc' && webrtcPlayable()
        ? import('livekit-client').then(
            ({ Room }) => Room,
            () => undefined, // the chunk failed to load: LL-HLS, reported as `unsupported`
          )
        : Promise.resolve(undefined);
    // hls.js wherever Media Source Extensions exist; the browser's own HLS only without them.
    // Chromium now answers canPlayType for HLS too, so that cannot decide.
    Promise.all([import('hls.js'), room]).then(
      ([{ default: Hls }, Room]) => {
        if (cancelled) return;
        if (!Hls.isSupported()) {
          if (video.canPlayType('application/vnd.apple.mpegurl')) {
            setTier('ll-hls');
            if (playback.tier !== 'll-hls') qoe.tierFallback('native_hls', 'll-hls');
            video.src = playback.fallback;
            detachQoe = attachQoe({ on: () => () => undefined, delayMs: undefined }, video, qoe);
            destroy = () => video.removeAttribute('src');
            return;
          }
          setStatus('error');
          setError('this browser cannot play HLS');
          qoe.fatal('hls_unsupported');
          return;
        }
        const tiered = new TieredPlayer({
          playback,
          media: video,
          Hls,
          Room,
          live: {
            targetLatencyMs,
            now: () => (client.serverTime.synced ? client.serverNow() : Date.now()),
          },
          onLivePlayer: (live) => {
            live.hls.on(Hls.Events.ERROR, (_event, data) => {
              if (!data.fatal) return;
              setStatus('error');
              setError(data.details);
              qoe.fatal(data.details);
            });
          },
        });
        tiered.on('tierFallback', (info) => {
          setTier('ll-hls');
          setFallback(info);
          setStatus('loading');
          onTierFallback.current?.(info);
        });
        player.current = tiered;
        detachQoe = attachQoe(tiered, video, qoe);
        destroy = () => {
          tiered.close();
          player.current = undefined;
        };
      },
      (err: unknown) => {
        setStatus('error');
        setError(err instanceof Error ? err.message : String(err));
        qoe.fatal('player_load_failed');
      },
    );
    return () => {
      cancelled = true;
      video.removeEventListener('playing', playing);
      detachQoe();
      destroy();
      release();
    };
    // The playback is read through `key`: the same one re-rendered must not restart the player.
  }, [client, video, key, targetLatencyMs]);

  const liveDelayMs = useCallback(() => player.current?.delayMs, []);
  const playerTimeMs = useCallback(
    () =>
      player.current?.tier === 'webrtc'
        ? client.serverTime.synced
          ? client.serverNow()
          : Date.now()
        : player.current?.playingAtMs,
    [client],
  );
  return { status, error, tier, fallback, liveDelayMs, playerTimeMs };
}
