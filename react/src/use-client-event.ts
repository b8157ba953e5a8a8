// Subscribes a component to one client event for as long as it is mounted, always calling the
// latest handler (so a handler closing over state needs no re-subscription per render).

import { useEffect, useRef } from 'react';
import type { FanfareClientEvents } from '@fanfare/sdk';
import { useFanfare } from './provider.js';

export function useClientEvent<K extends keyof FanfareClientEvents>(
  type: K,
  handler: (payload: FanfareClientEvents[K]) => void,
): void {
  const client = useFanfare();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => client.on(type, (payload) => latest.current(payload)), [client, type]);
}
