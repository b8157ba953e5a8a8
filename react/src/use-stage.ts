// The event's stage (title, lifecycle state, pin, chat rules, polls) as the SDK mirrors it: the
// version with the highest number, re-rendered each time a newer one arrives.

import { useState } from 'react';
import type { StageView } from '@fanfare/protocol';
import { useFanfare } from './provider.js';
import { useClientEvent } from './use-client-event.js';

/** The stage, or undefined before the first welcome. */
export function useStage(): StageView | undefined {
  const client = useFanfare();
  const [stage, setStage] = useState(client.stage);
  useClientEvent('stage', setStage);
  return stage;
}
