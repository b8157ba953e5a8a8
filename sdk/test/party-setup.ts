// Fans on one fake party server and one manual clock: each fan is a FanfareClient on its own
// FakeServer, answered by the shared FakeParty as its own user.

import { ManualClock } from '@fanfare/fanout/testing';
import type { PartyView, Timeline } from '@fanfare/protocol';
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

/** Ann (u1) hosts a party of film.mp4 that Bob (u2) has joined, in a fresh party world. */
export async function annHostsBob(options: Omit<FakePartyOptions, 'clock'> = {}) {
  const world = partyWorld(options);
  const ann = await world.fan('u1', 'Ann');
  const bob = await world.fan('u2', 'Bob');
  const created = await ann.client.party.create('film.mp4');
  await bob.client.party.join(created.code);
  return { ...world, ann, bob, created };
}

/** A paused film.mp4 timeline at `version`, with `over` changed. */
export function timeline(version: number, over: Partial<Timeline> = {}): Timeline {
  return { media: 'film.mp4', position: 0, rate: 1, paused: true, at: 1, version, ...over };
}

/** Party `party1` of event `demo`, hosted by u1, at `version`, with `over` changed. */
export function view(version: number, over: Partial<PartyView> = {}): PartyView {
  return {
    id: 'party1',
    eventId: 'demo',
    code: 'CODE0001',
    hostId: 'u1',
    maxSize: 50,
    members: [],
    timeline: timeline(1),
    gate: null,
    version,
    ...over,
  };
}
