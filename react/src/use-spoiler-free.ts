// Spoiler-free mode in components: `useSpoilerFree` for the fan's toggle, `useSpoilerFreePlayer`
// to make a playing player the clock that chat, bursts and poll results wait for, and
// `useSpoilerGate` for a component that holds its own kind of update (reaction windows, stage
// changes) until the picture reaches the moment it arrived.

import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import type { SpoilerGate } from '@fanfare/sdk';
import { storesFor } from './client-stores.js';
import { useFanfare } from './provider.js';
import type { SpoilerFreeState } from './spoiler-free.js';
import type { PlaybackState } from './use-playback.js';

export interface SpoilerFreeControl extends SpoilerFreeState {
  /** True shows chat, bursts and results as they happen; false waits for the picture. */
  setLive(live: boolean): void;
}

export function useSpoilerFree(): SpoilerFreeControl {
  const spoilerFree = storesFor(useFanfare()).spoilerFree;
  const state = useSyncExternalStore(spoilerFree.subscribe, spoilerFree.snapshot);
  const setLive = useCallback((live: boolean) => spoilerFree.setLive(live), [spoilerFree]);
  return { ...state, setLive };
}

/**
 * Makes `playback`'s player the clock of spoiler-free mode while it plays (its program date-time
 * at the play head); detached when it stops or unmounts, and everything held shows then.
 */
export function useSpoilerFreePlayer(playback: PlaybackState): void {
  const spoilerFree = storesFor(useFanfare()).spoilerFree;
  const { status, playerTimeMs } = playback;
  useEffect(() => {
    if (status !== 'playing') return;
    spoilerFree.follow(playerTimeMs);
    return () => spoilerFree.follow(undefined);
  }, [spoilerFree, status, playerTimeMs]);
}

/**
 * A function that holds `item` until the picture reaches server time `at` (default: now, on
 * arrival), then calls `release` with it; items pushed before the component's effects ran pass
 * straight through.
 */
export function useSpoilerGate<T>(release: (item: T) => void): (item: T, at?: number) => void {
  const spoilerFree = storesFor(useFanfare()).spoilerFree;
  const latest = useRef(release);
  latest.current = release;
  const gate = useRef<SpoilerGate<T> | undefined>(undefined);
  useEffect(() => {
    const made = spoilerFree.gate<T>((item) => latest.current(item));
    gate.current = made;
    return () => {
      spoilerFree.release(made);
      gate.current = undefined;
    };
  }, [spoilerFree]);
  return useCallback(
    (item: T, at?: number) => {
      if (gate.current) gate.current.push(item, at ?? spoilerFree.arrivedAt());
      else latest.current(item);
    },
    [spoilerFree],
  );
}
