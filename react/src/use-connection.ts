// The client's connection as a component sees it: its state (`idle`, `connecting`, `open`,
// `waiting`, `closed`), who this fan is once welcomed, and why it closed when it did.

import { useState } from 'react';
import type { Author } from '@fanfare/protocol';
import type { CloseInfo } from '@fanfare/sdk';
import type { ClientState } from '@fanfare/sdk';
import { useFanfare } from './provider.js';
import { useClientEvent } from './use-client-event.js';

export interface Connection {
  state: ClientState;
  /** This fan, from the latest welcome. */
  user: Author | undefined;
  /** Set once the client closed for good. */
  closed: CloseInfo | undefined;
}

export function useConnection(): Connection {
  const client = useFanfare();
  const [state, setState] = useState(client.state);
  const [user, setUser] = useState(client.user);
  const [closed, setClosed] = useState<CloseInfo>();
  useClientEvent('state', (change) => setState(change.state));
  useClientEvent('welcome', (welcome) => setUser(welcome.user));
  useClientEvent('closed', setClosed);
  return { state, user, closed };
}
