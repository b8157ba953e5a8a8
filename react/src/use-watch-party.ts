// The watch party this fan is in, for a component: the view (members, readiness, host, code,
// timeline), its chat, and the requests (create, join by code, leave, host commands), each
// resolving or rejecting as `client.party` does. A refusal is kept in `error` for the page.

import { useCallback, useState } from 'react';
import type { PartyChatMessage, PartyCommand, PartyView } from '@fanfare/protocol';
import { useFanfare } from './provider.js';
import { useClientEvent } from './use-client-event.js';

/** Party chat lines kept; party chat is not stored by the server, only seen live. */
export const PARTY_CHAT_KEPT = 100;

export interface WatchPartyState {
  view: PartyView | undefined;
  chat: readonly PartyChatMessage[];
  /** Whether this fan hosts the party. */
  isHost: boolean;
  /** The last refused or lost request, in the SDK's words. */
  error: string | undefined;
  create(media: string): Promise<void>;
  join(code: string): Promise<void>;
  leave(): Promise<void>;
  command(command: PartyCommand): Promise<void>;
  say(text: string): Promise<void>;
}

export function useWatchParty(): WatchPartyState {
  const client = useFanfare();
  const [view, setView] = useState(client.party.view);
  const [chat, setChat] = useState<readonly PartyChatMessage[]>([]);
  const [error, setError] = useState<string>();
  useClientEvent('party', setView);
  useClientEvent('partyTimeline', () => setView(client.party.view));
  useClientEvent('partyLeft', () => {
    setView(undefined);
    setChat([]);
  });
  useClientEvent('partyChat', (m) => setChat((c) => [...c, m].slice(-PARTY_CHAT_KEPT)));

  // Every request: clear the last error, keep the refusal's words when it fails.
  const attempt = useCallback(async (request: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await request();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  return {
    view,
    chat,
    isHost: view !== undefined && view.hostId === client.user?.id,
    error,
    create: (media) => attempt(() => client.party.create(media)),
    join: (code) => attempt(() => client.party.join(code)),
    leave: () => attempt(() => client.party.leave()),
    command: (command) => attempt(() => client.party.command(command)),
    say: (text) => attempt(() => client.party.chat(text)),
  };
}
