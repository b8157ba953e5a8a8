// The player slot: the event's stream when the join reply names one (sub-second WebRTC, or
// LL-HLS, which a failed WebRTC falls back to, saying so over the picture), else a plain "no
// stream" panel in the same 16:9 box so the page does not jump when a stream starts. While it
// plays, its picture is the clock spoiler-free chat waits for.

import { useState } from 'react';
import type { Playback } from '@fanfare/protocol';
import { usePlayback, useSpoilerFreePlayer } from '@fanfare/react';
import type { TierFallback } from '@fanfare/sdk';
import { useMeasureHook } from './measure-hook.js';

export interface PlayerProps {
  playback: Playback | undefined;
  targetLatencyMs?: number | undefined;
  onTierFallback?: (fallback: TierFallback) => void;
}

export function Player({ playback, targetLatencyMs, onTierFallback }: PlayerProps) {
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const state = usePlayback(video, playback, { targetLatencyMs, onTierFallback });
  const { status, error, tier, fallback } = state;
  useSpoilerFreePlayer(state);
  useMeasureHook(state);
  return (
    <div className="player" data-tier={tier} data-status={status}>
      {playback ? (
        <video ref={setVideo} muted playsInline controls autoPlay aria-label="Live stream" />
      ) : (
        <div className="no-stream" role="img" aria-label="No stream">
          <span>No stream yet</span>
          <small>The show's video appears here when the producer starts it.</small>
        </div>
      )}
      {fallback && (
        <p className="player-note" role="status" data-reason={fallback.reason}>
          Sub-second video is unavailable here; showing the standard stream.
        </p>
      )}
      {status === 'error' && <p className="player-error">The stream failed: {error}</p>}
    </div>
  );
}
