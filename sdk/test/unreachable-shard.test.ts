// A rejoin after a connection that failed before its welcome names the shard it could not reach
// (the join's `unreachable`), so the API does not hand out a shard that died a moment ago and is
// still in its registry. Against the fake server, with a recording join.

import { describe, expect, it } from 'vitest';
import { apiJoin, type JoinGrant } from '../src/index.js';
import { FakeServer, setup, welcome, type FakeSocket } from './fake-server.js';

/** A join that records what it was told and hands out shards 1, 2, 3... in turn. */
function recordingJoin() {
  const calls: Array<{ previous: string | undefined; unreachable: string | undefined }> = [];
  const join = (previous: string | undefined, unreachable?: string): Promise<JoinGrant> => {
    calls.push({ previous, unreachable });
    // The URL as the API answers it when tracing: a query the API ignores when named back.
    const url = `ws://shard-${calls.length}.test/ws?traceparent=00-t${calls.length}`;
    return Promise.resolve({ token: `t${calls.length}`, gatewayUrl: url });
  };
  return { calls, join };
}

/** Refuses the upgrade with 503 as Node's `ws` reports it (see admission-retry.test.ts). */
function wsLikeServer(): FakeServer {
  const server = new FakeServer();
  const Base = server.WebSocket;
  (server as { WebSocket: unknown }).WebSocket = class extends (Base as typeof FakeSocket) {
    listener: ((req: unknown, res: unknown) => void) | undefined;
    on(event: string, listener: (req: unknown, res: unknown) => void): this {
      if (event === 'unexpected-response') this.listener = listener;
      return this;
    }
  };
  return server;
}

describe('a rejoin after a failed connect', () => {
  it('names the shard whose connection closed before a welcome, on the next join only', async () => {
    const { calls, join } = recordingJoin();
    const { server, client, clock } = setup({ join, url: undefined, token: undefined });
    client.connect();
    const first = await server.next();
    expect(first.url.host).toBe('shard-1.test');
    first.drop(1006); // connection refused: no welcome
    clock.advance(1000);
    const second = await server.next();
    expect(second.url.host).toBe('shard-2.test');
    expect(calls[1]).toEqual({
      previous: 't1',
      unreachable: 'ws://shard-1.test/ws?traceparent=00-t1',
    });
    second.deliver(welcome());
    expect(client.state).toBe('open');
    // A drop after a welcome is not a failed connect: the next join names nothing.
    second.drop(1006);
    clock.advance(1000);
    await server.next();
    expect(calls[2]).toEqual({ previous: 't2', unreachable: undefined });
  });

  it('names the shard a resume ticket could not reach', async () => {
    const { calls, join } = recordingJoin();
    const { server, client, clock } = setup({ join, url: undefined, token: undefined });
    client.connect();
    const first = await server.next();
    first.deliver({
      ...welcome(),
      resumeTicket: { ticket: 'rt1.k.a.b', expiresAt: clock.now() + 300_000 },
    });
    first.drop(1006); // the shard was killed
    clock.advance(1000);
    const ticketed = await server.next();
    expect(ticketed.url.searchParams.get('ticket')).toBe('rt1.k.a.b');
    expect(ticketed.url.host).toBe('shard-1.test');
    ticketed.drop(1006); // and refuses connections now
    clock.advance(1000);
    await server.next();
    expect(calls.map((c) => c.unreachable)).toEqual([
      undefined,
      'ws://shard-1.test/ws?traceparent=00-t1',
    ]);
  });

  it('does not name a shard that refused the upgrade with 503: it answered', async () => {
    const { calls, join } = recordingJoin();
    const server = wsLikeServer();
    const { client, clock } = setup({
      join,
      url: undefined,
      token: undefined,
      WebSocket: server.WebSocket,
    });
    client.connect();
    const first = await server.next();
    const listener = (first as unknown as { listener: (req: unknown, res: unknown) => void })
      .listener;
    listener({ destroy: () => undefined }, { statusCode: 503, headers: { 'retry-after': '1' } });
    first.drop(1006);
    clock.advance(5000);
    await server.next();
    expect(calls.map((c) => c.unreachable)).toEqual([undefined, undefined]);
  });
});

describe('apiJoin and `unreachable`', () => {
  it('sends it in the join body when given', async () => {
    const bodies: unknown[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(init.body as string));
      return new Response(JSON.stringify({ token: 't', gatewayUrl: 'ws://g' }), { status: 200 });
    }) as typeof globalThis.fetch;
    const join = apiJoin({ apiUrl: 'http://api', eventId: 'e', fetch });
    await join('previous', 'ws://dead/ws');
    await join('previous');
    expect(bodies).toEqual([{ unreachable: 'ws://dead/ws' }, {}]);
  });
});
