// The React face of one FanfareClient: a provider that hands the client to the hooks below it,
// and a hook that owns a client's life (create, connect, close) for a page that wants one per
// mounted component. The provider starts the chat store at once, so a chat panel mounted late
// still shows what came before it.

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { FanfareClient, type FanfareClientOptions } from '@fanfare/sdk';
import { storesFor } from './client-stores.js';

const FanfareContext = createContext<FanfareClient | undefined>(undefined);

export interface FanfareProviderProps {
  /** The client the hooks below use. The provider neither connects nor closes it. */
  client: FanfareClient;
  children?: ReactNode;
}

export function FanfareProvider({ client, children }: FanfareProviderProps): ReactNode {
  storesFor(client); // idempotent: one set of stores per client, following it from now on
  return <FanfareContext.Provider value={client}>{children}</FanfareContext.Provider>;
}

/** The client of the nearest FanfareProvider; throws outside one. */
export function useFanfare(): FanfareClient {
  const client = useContext(FanfareContext);
  if (client === undefined) throw new Error('Fanfare hooks must be used inside <FanfareProvider>');
  return client;
}

/**
 * A client made from `options` when the component mounts, connected, and closed when it
 * unmounts (undefined until the first effect has run). `options` is read once: remount the
 * component (give it a new `key`) to connect differently.
 */
export function useFanfareClient(options: FanfareClientOptions): FanfareClient | undefined {
  const [client, setClient] = useState<FanfareClient>();
  const [initial] = useState(options);
  useEffect(() => {
    const created = new FanfareClient(initial);
    setClient(created);
    created.connect();
    return () => created.close();
  }, [initial]);
  return client;
}
