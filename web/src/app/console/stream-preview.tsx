// The producer's preview: the event's stream as fans get it (usePlayback on the console's own
// join reply), muted. It is not made spoiler-free's clock: the console's chat view stays live.

import { useState } from 'react';
import type { Playback } from '@fanfare/protocol';
import { usePlayback } from '@fanfare/react';

export function StreamPreview({ playback }: { playback: Playback }) {
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const { status, error } = usePlayback(video, playback);
  return (
    <div className="preview" data-status={status}>
      <video ref={setVideo} muted playsInline autoPlay aria-label="Stream preview" />
      <small>Preview: {status === 'error' ? `failed (${error ?? 'unknown'})` : status}</small>
    </div>
  );
}
