// Joining through the API before every connection: a dropped fan is placed anew and keeps its
// identity, so its resent messages are still recognised as the same ones.

import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FanfareClient, apiJoin, type SocketLike } from '../src/index.js';
import { startTestEngine, type Engine } from './engine.js';
import { collect, waitFor } from './wait-for.js';

describe('FanfareClient with apiJoin', () => {
  let engine: Engine | undefined;
  let client: FanfareClient | undefined;
  afterEach(async () => {
    client?.close();
    await engine?.close();
  });

  it('after a drop, resumes with the welcome’s ticket instead of joining again, keeping the same user', async () => {
    engine = await startTestEngine();
    const sockets: SocketLike[] = [];
    const joins: Array<string | undefined> = [];
    const join = apiJoin({ apiUrl: engine.apiUrl, eventId: 'demo', name: 'Ann' });
    client = new FanfareClient({
      join: async (previous) => {
        joins.push(previous);
        return join(previous);
      },
      WebSocket,
      backoff: { initialMs: 10, maxMs: 20 },
      onSocket: (socket) => sockets.push(socket),
    });
    const welcomes = collect(client, 'welcome');
    const first = waitFor(client, 'welcome');
    client.connect();
    const user = (await first).user;
    expect(user.name).toBe('Ann');

    const again = waitFor(client, 'welcome');
    (sockets[0] as unknown as WebSocket).terminate();
    expect((await again).user).toEqual(user);
    // The ticket admits the fan on the shard it came from: no second join call (a failed ticket
    // attempt falls back to the join: resume-ticket.test.ts).
    expect(joins).toEqual([undefined]);
    const reconnect = new URL((sockets[1] as unknown as WebSocket).url).searchParams;
    expect([reconnect.has('ticket'), reconnect.has('token')]).toEqual([true, false]);
    expect(welcomes.map((w) => w.snapshot.continuity)).toEqual(['fresh', 'resumed']);
    const ack = await client.sendChat('after the rejoin');
    expect(ack.seq).toBe(1);
  });

  it('refuses to construct without join or url and token', () => {
    expect(() => new FanfareClient({ WebSocket })).toThrow(/join/);
  });
});
