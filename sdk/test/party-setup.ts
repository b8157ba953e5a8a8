// Fans on one fake party server and one manual clock: each fan is a FanfareClient on its own
// FakeServer, answered by the shared FakeParty as its own user.

import { ManualClock } from '@fanfare/fanout/testing';
import { FanfareClient } from '../src/index.js';
import { FakeParty, type FakePartyOptions } from './fake-party.js';
import { FakeServer, author, open, type FakeSocket } from './fake-server.js';

export interface PartyFan {
  client: FanfareClient;
  server: FakeServer;
  user: ReturnType<typeof author>;
  /** The socket of the current session. */
  socket: FakeSocket;
}

export function partyWorld(options: Omit<FakePartyOptions, 'clock'> = {}) {
  const clock = new ManualClock();
  const party = new FakeParty({ clock, ...options });
  /** A connected fan (welcomed) named `name`, with user id `id`. */
  const fan = async (id: string, name: string): Promise<PartyFan> => {
    const server = new FakeServer();
    const user = author(id, name);
    party.serve(server, user);
    const client = new FanfareClient({
      url: 'ws://gateway.test/ws',
      token: 'tok',
      WebSocket: server.WebSocket,
      clock,
      random: () => 1,
    });
    const socket = await open(server, client, {}, user);
    return { client, server, user, socket };
  };
  return { clock, party, fan };
}
