// The fan page's player clock for whoever measures the page from outside (the spoiler-free
// browser test, or a person in devtools): `window.fanfarePlayer.playerTimeMs()` is the program
// date-time on screen now, `liveDelayMs()` the last measured delay behind live. Read-only; gone
// when the player unmounts.

import { useEffect } from 'react';
import type { PlaybackState } from '@fanfare/react';

export interface PlayerMeasureHook {
  playerTimeMs(): number | undefined;
  liveDelayMs(): number | undefined;
}

declare global {
  interface Window {
    fanfarePlayer?: PlayerMeasureHook;
  }
}

export function useMeasureHook({ playerTimeMs, liveDelayMs }: PlaybackState): void {
  useEffect(() => {
    const hook = Object.freeze({ playerTimeMs, liveDelayMs });
    window.fanfarePlayer = hook;
    return () => {
      if (window.fanfarePlayer === hook) delete window.fanfarePlayer;
    };
  }, [playerTimeMs, liveDelayMs]);
}
