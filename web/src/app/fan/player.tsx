// The player slot: the event's LL-HLS stream when the join reply names one, else a plain
// "no stream" panel in the same 16:9 box so the page does not jump when a stream starts. While it
// plays, its picture is the clock spoiler-free chat waits for.

import { useState } from 'react';
import type { Playback } from '@fanfare/protocol';
import { usePlayback, useSpoilerFreePlayer } from '@fanfare/react';
import { useMeasureHook } from './measure-hook.js';

export interface PlayerProps {
  playback: Playback | undefined;
  targetLatencyMs?: number | undefined;
}

export function Player({ playback, targetLatencyMs }: PlayerProps) {
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const state = usePlayback(video, playback, { targetLatencyMs });
  const { status, error } = state;
  useSpoilerFreePlayer(state);
  useMeasureHook(state);
  return (
    <div className="player">
      {playback ? (
        <video ref={setVideo} muted playsInline controls autoPlay aria-label="Live stream" />
      ) : (
        <div className="no-stream" role="img" aria-label="No stream">
          <span>No stream yet</span>
          <small>The show's video appears here when the producer starts it.</small>
        </div>
      )}
      {status === 'error' && <p className="player-error">The stream failed: {error}</p>}
    </div>
  );
}
