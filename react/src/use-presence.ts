// Viewers now: the welcome's count, then every `presence` frame (at most one a second), kept
// per client so a component mounted late shows the current count at once.

import { useSyncExternalStore } from 'react';
import { storesFor } from './client-stores.js';
import { useFanfare } from './provider.js';

/** Fans connected to the event across all shards; undefined before the first welcome. */
export function usePresence(): number | undefined {
  const store = storesFor(useFanfare()).viewers;
  return useSyncExternalStore(store.subscribe, store.snapshot);
}
