// The fan's choice while a stream plays: chat, bursts and poll results as the picture reaches
// them (spoiler-free, the default), or everything live. Without a playing stream there is nothing
// to spoil and the switch is not shown.

import { useSpoilerFree } from '@fanfare/react';

export function SpoilerToggle() {
  const { following, live, setLive } = useSpoilerFree();
  if (!following) return null;
  return (
    <label className="spoiler-toggle">
      <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} />
      See chat live
      <small>{live ? ' · ahead of your picture' : ' · in step with your picture'}</small>
    </label>
  );
}
