// The SDK and resume tickets: after a drop it reconnects with the last welcome's ticket instead
// of its token (no join call, a MAC check on the shard), for one attempt; when that attempt ends
// before a welcome, or the ticket is about to expire, or the server asked for re-authentication,
// it goes back to its token. Against the fake server frame by frame, then a real engine.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials, TICKET_EXPIRY_MARGIN_MS } from '../src/index.js';
import { connectedFan, startTestEngine, type Engine } from './engine.js';
import { open, setup, welcome } from './fake-server.js';
import { waitFor } from './wait-for.js';

const grant = (ticket: string, expiresAt: number) => ({ ticket, expiresAt });

describe('resume tickets in the client', () => {
  it('reconnects once with the ticket, then with the token when that attempt fails', async () => {
    let provided = 0;
    const { server, client, clock } = setup({ token: async () => `tok${++provided}` });
    client.connect();
    const first = await server.next();
    expect(first.url.searchParams.get('token')).toBe('tok1');
    first.deliver({ ...welcome(), resumeTicket: grant('rt1.k.a.b', clock.now() + 300_000) });

    first.drop(1006);
    clock.advance(1000);
    const second = await server.next();
    expect(second.url.searchParams.get('ticket')).toBe('rt1.k.a.b');
    expect(second.url.searchParams.has('token')).toBe(false);
    expect(second.url.searchParams.get('since')).toBe('0');

    // A refused upgrade reaches a browser as 1006 before any welcome: the ticket is spent.
    second.drop(1006);
    clock.advance(1000);
    const third = await server.next();
    expect(third.url.searchParams.get('token')).toBe('tok1');
    expect(third.url.searchParams.has('ticket')).toBe(false);
    expect(provided).toBe(1);
    third.deliver(welcome());
    expect(client.state).toBe('open');
  });

  it('takes each welcome’s new ticket for the next drop', async () => {
    const { server, client, clock } = setup();
    const first = await open(server, client);
    first.drop(1006);
    clock.advance(1000);
    expect((await server.next()).url.searchParams.get('token')).toBe('tok'); // no ticket yet
    const socket = server.sockets.at(-1)!;
    socket.deliver({ ...welcome(), resumeTicket: grant('rt1.k.b.c', clock.now() + 300_000) });
    socket.drop(4000);
    clock.advance(5000);
    expect((await server.next()).url.searchParams.get('ticket')).toBe('rt1.k.b.c');
  });

  it('replaces its ticket with each renewal: the next reconnect uses the newest', async () => {
    const { server, client, clock } = setup();
    client.connect();
    const first = await server.next();
    first.deliver({ ...welcome(), resumeTicket: grant('rt1.k.w.w', clock.now() + 300_000) });
    clock.advance(150_000);
    first.deliver({ type: 'ticket', ...grant('rt1.k.r1.r1', clock.now() + 300_000) });
    clock.advance(150_000);
    first.deliver({ type: 'ticket', ...grant('rt1.k.r2.r2', clock.now() + 300_000) });
    clock.advance(100_000); // the welcome's ticket and the first renewal have expired by now
    first.drop(1006);
    clock.advance(1000);
    const second = await server.next();
    expect(second.url.searchParams.get('ticket')).toBe('rt1.k.r2.r2');
    expect(second.url.searchParams.has('token')).toBe(false);
  });

  it('uses the token when the ticket is within the margin of its expiry', async () => {
    const { server, client, clock } = setup();
    client.connect();
    const first = await server.next();
    const expiresAt = clock.now() + TICKET_EXPIRY_MARGIN_MS + 2000;
    first.deliver({ ...welcome(), resumeTicket: grant('rt1.k.c.d', expiresAt) });
    clock.advance(3000);
    first.drop(1006);
    clock.advance(1000);
    expect((await server.next()).url.searchParams.get('token')).toBe('tok');
  });

  it('forgets the ticket when the credentials are invalidated (a reauth close)', async () => {
    const credentials = new Credentials({ url: 'ws://g/ws', token: async () => 'fresh' }, () => 0);
    expect(await credentials.next()).toEqual({ url: 'ws://g/ws', token: 'fresh' });
    credentials.ticketGranted(grant('rt1.k.e.f', 300_000));
    credentials.invalidate();
    expect(await credentials.next()).toEqual({ url: 'ws://g/ws', token: 'fresh' });
  });

  it('uses the ticket on the shard the join picked, without joining again', async () => {
    const joins: Array<string | undefined> = [];
    const credentials = new Credentials(
      {
        join: async (previous) => {
          joins.push(previous);
          return { token: `t${joins.length}`, gatewayUrl: `ws://shard-${joins.length}/ws` };
        },
      },
      () => 0,
    );
    await credentials.next();
    credentials.ticketGranted(grant('rt1.k.g.h', 300_000));
    expect(await credentials.next()).toEqual({ url: 'ws://shard-1/ws', ticket: 'rt1.k.g.h' });
    expect(await credentials.next()).toEqual({ url: 'ws://shard-2/ws', token: 't2' });
    expect(joins).toEqual([undefined, 't1']);
  });
});

describe('resume tickets against a real engine', () => {
  let engine: Engine;
  // An engine starts in seconds; on a machine loaded by other work it has taken over 30.
  beforeAll(async () => {
    engine = await startTestEngine();
  }, 90_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('resumes with the ticket: the shard admits the same fan, resumed, with a new ticket', async () => {
    const ann = await connectedFan(engine, 'Ann');
    const resumed = waitFor(ann.client, 'welcome');
    ann.socket().terminate();
    const again = await resumed;
    const query = new URL(ann.sockets[1]!.url).searchParams;
    expect(query.has('ticket')).toBe(true);
    expect(query.has('token')).toBe(false);
    expect(again.user.name).toBe('Ann');
    expect(again.snapshot.continuity).toBe('resumed');
    expect(again.resumeTicket?.ticket).toMatch(/^rt1\./);
    ann.client.close();
  });
});
