// The client after a 503 before its session (admission control): from the join or the upgrade it
// waits Retry-After plus full jitter, not its exponential backoff, and then tries again.

import { ManualClock } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { FanfareClient, JoinRefusedError, type JoinGrant } from '../src/index.js';
import type { FakeSocket } from './fake-server.js';
import { FakeServer, setup, welcome } from './fake-server.js';
import { collect } from './wait-for.js';

type UnexpectedResponse = (
  request: { destroy(error?: Error): void },
  response: { statusCode?: number; headers: Record<string, string | undefined> },
) => void;

/** Refuses the upgrade as Node's `ws` reports it: 'unexpected-response', then error and 1006. */
function refuseUpgrade(socket: FakeSocket, status: number, retryAfter?: string): void {
  const listener = (socket as unknown as { listener?: UnexpectedResponse }).listener;
  if (!listener) throw new Error('the client did not watch the upgrade');
  let destroyed = false;
  listener(
    { destroy: () => (destroyed = true) },
    { statusCode: status, headers: { 'retry-after': retryAfter } },
  );
  expect(destroyed).toBe(true);
  socket.drop(1006);
}

/** A fake server whose sockets expose `on('unexpected-response')`, as `ws` sockets do. */
function wsLikeServer(): FakeServer {
  const server = new FakeServer();
  const Base = server.WebSocket;
  (server as { WebSocket: unknown }).WebSocket = class extends (Base as typeof FakeSocket) {
    listener: UnexpectedResponse | undefined;
    on(event: string, listener: UnexpectedResponse): this {
      if (event === 'unexpected-response') this.listener = listener;
      return this;
    }
  };
  return server;
}

describe('FanfareClient after a 503 before its session', () => {
  it('waits the upgrade refusal Retry-After plus jitter, then connects again', async () => {
    const server = wsLikeServer();
    const { clock, client } = setup({ WebSocket: server.WebSocket, random: () => 0.5 });
    const reconnecting = collect(client, 'reconnecting');
    client.connect();
    refuseUpgrade(await server.next(), 503, '3');
    // 3 s, plus half of the 1 s minimum jitter window: not the backoff's first cap (500 ms).
    expect(reconnecting.map((r) => r.delayMs)).toEqual([3500]);
    expect(reconnecting[0]?.reason).toBe('upgrade refused with 503');
    clock.advance(3499);
    expect(server.sockets).toHaveLength(1);
    clock.advance(1);
    const second = await server.next();
    second.deliver(welcome());
    expect(client.state).toBe('open');
  });

  it('uses the backoff for a refusal that is not a 503', async () => {
    const server = wsLikeServer();
    const { client } = setup({ WebSocket: server.WebSocket, random: () => 0.5 });
    const reconnecting = collect(client, 'reconnecting');
    client.connect();
    refuseUpgrade(await server.next(), 500);
    expect(reconnecting.map((r) => r.delayMs)).toEqual([250]);
  });

  it('waits the join refusal Retry-After plus jitter (at least a 1 s window), then joins again', async () => {
    const server = new FakeServer();
    const clock = new ManualClock();
    let joins = 0;
    const join = (): Promise<JoinGrant> => {
      joins++;
      if (joins === 1) return Promise.reject(new JoinRefusedError(503, 'overloaded', 1));
      return Promise.resolve({ token: 'tok', gatewayUrl: 'ws://gateway.test/ws' });
    };
    const client = new FanfareClient({
      join,
      WebSocket: server.WebSocket,
      clock,
      random: () => 0.25,
    });
    const reconnecting = collect(client, 'reconnecting');
    client.connect();
    await Promise.resolve();
    await Promise.resolve();
    // 1 s, plus a quarter of the 1 s minimum jitter window.
    expect(reconnecting.map((r) => r.delayMs)).toEqual([1250]);
    clock.advance(1250);
    (await server.next()).deliver(welcome());
    expect(joins).toBe(2);
    expect(client.state).toBe('open');
  });
});
