// The client against an in-process fake gateway and a fake clock: connection URLs, the state
// machine, seq bookkeeping, reconnect decisions and the outbox, frame by frame and without
// waiting on real time.

import { describe, expect, it } from 'vitest';
import {
  ChatRefusedError,
  ClientClosedError,
  IllegalTransitionError,
  MAX_CHAT_ATTEMPTS,
} from '../src/index.js';
import { ManualClock } from '@fanfare/fanout/testing';
import { chatMessage, open, setup, welcome } from './fake-server.js';
import { collect, range } from './wait-for.js';

describe('FanfareClient connecting', () => {
  it('connects with the token, the v1 subprotocol and the URL query it was given', async () => {
    const { server, client, states } = setup({ url: 'ws://gateway.test/ws?region=eu' });
    client.connect();
    const socket = await server.next();
    expect(socket.protocols).toEqual(['fanfare.v1']);
    expect(socket.url.searchParams.get('region')).toBe('eu');
    expect(socket.url.searchParams.get('token')).toBe('tok');
    expect(socket.url.searchParams.has('since')).toBe(false);
    expect(client.state).toBe('connecting');
    socket.deliver(welcome());
    expect(client.state).toBe('open');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('refuses to connect twice or after close', async () => {
    const { server, client } = setup();
    await open(server, client);
    expect(() => client.connect()).toThrow(IllegalTransitionError);
    client.close();
    expect(() => client.connect()).toThrow(IllegalTransitionError);
  });

  it('emits continuity and the snapshot chat after the welcome', async () => {
    const { server, client, seqs } = setup();
    const order: string[] = [];
    client.on('welcome', () => order.push('welcome'));
    client.on('continuity', (c) => order.push(c));
    client.on('chat', (m) => order.push(`chat ${m.seq}`));
    await open(server, client, { chat: [chatMessage(4), chatMessage(5)], lastSeq: 5 });
    expect(order).toEqual(['welcome', 'fresh', 'chat 4', 'chat 5']);
    expect(seqs()).toEqual([4, 5]);
    expect(client.lastSeq).toBe(5);
  });
});

describe('FanfareClient chat sequence', () => {
  it('drops repeated seqs and reconnects with since when a live frame skips one', async () => {
    const { server, clock, client, seqs } = setup();
    const first = await open(server, client, { chat: [1, 2, 3].map((n) => chatMessage(n)) });
    first.deliver({ type: 'chat', messages: [chatMessage(4)] });
    first.deliver({ type: 'chat', messages: [chatMessage(3), chatMessage(4), chatMessage(5)] });
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);

    const reconnecting = collect(client, 'reconnecting');
    first.deliver({ type: 'chat', messages: [chatMessage(7)] }); // 6 is missing
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(first.closedWith?.code).toBe(1000);
    expect(client.state).toBe('waiting');
    expect(reconnecting[0]?.reason).toContain('expected seq 6, got 7');

    clock.advance(500);
    const second = await server.next();
    expect(second.url.searchParams.get('since')).toBe('5');
    expect(second.url.searchParams.get('epoch')).toBe('e1');
    const continuity = collect(client, 'continuity');
    second.deliver(
      welcome({ continuity: 'resumed', chat: [chatMessage(6), chatMessage(7)], lastSeq: 7 }),
    );
    second.deliver({ type: 'chat', messages: [chatMessage(8)] });
    expect(continuity).toEqual(['resumed']);
    expect(seqs()).toEqual(range(1, 8));
  });

  it('skips resumed messages it already has when a shard is behind', async () => {
    const { server, clock, client, seqs } = setup();
    const first = await open(server, client, { chat: [chatMessage(1), chatMessage(2)] });
    first.drop(1006);
    clock.advance(500);
    const second = await server.next();
    expect(second.url.searchParams.get('since')).toBe('2');
    second.deliver(welcome({ continuity: 'resumed', chat: [chatMessage(2)], lastSeq: 1 }));
    expect(client.lastSeq).toBe(2);
    second.deliver({ type: 'chat', messages: [chatMessage(2), chatMessage(3)] });
    expect(seqs()).toEqual([1, 2, 3]);
  });

  it('resumes with the epoch of the last welcome, and starts over when a resume names another', async () => {
    const { server, clock, client, seqs } = setup();
    const first = await open(server, client, { chat: [chatMessage(1), chatMessage(2)] });
    expect([client.epoch, client.lastSeq]).toEqual(['e1', 2]);
    first.drop(4003); // log_restarted
    clock.advance(500);
    const second = await server.next();
    expect(second.url.searchParams.get('since')).toBe('2');
    expect(second.url.searchParams.get('epoch')).toBe('e1');
    // A server that answers `resumed` in another epoch is not believed: its seqs count elsewhere.
    second.deliver(welcome({ continuity: 'resumed', epoch: 'e2', chat: [chatMessage(1)] }));
    expect(seqs()).toEqual([1, 2, 1]);
    expect([client.epoch, client.lastSeq]).toEqual(['e2', 1]);
  });

  it('starts over from the snapshot when continuity is lost', async () => {
    const { server, clock, client, seqs } = setup();
    const first = await open(server, client, { chat: [chatMessage(9), chatMessage(10)] });
    first.drop(1006);
    clock.advance(500);
    const second = await server.next();
    const continuity = collect(client, 'continuity');
    // The log started over: its seqs are below what the client had.
    second.deliver(welcome({ continuity: 'lost', chat: [chatMessage(3), chatMessage(4)] }));
    expect(continuity).toEqual(['lost']);
    expect(seqs()).toEqual([9, 10, 3, 4]);
    expect(client.lastSeq).toBe(4);
    second.deliver({ type: 'chat', messages: [chatMessage(5)] });
    expect(seqs()).toEqual([9, 10, 3, 4, 5]);
  });
});

describe('FanfareClient reconnect policy', () => {
  it('backs off exponentially while connections fail, and starts over after a welcome', async () => {
    const { server, clock, client } = setup({ random: () => 1 });
    const delays = collect(client, 'reconnecting');
    client.connect();
    for (let i = 0; i < 4; i++) {
      const socket = await server.next();
      socket.drop(1006); // refused before any welcome
      clock.advance(delays.at(-1)?.delayMs ?? 0);
    }
    expect(delays.map((d) => d.delayMs)).toEqual([500, 1000, 2000, 4000]);
    const socket = await server.next();
    socket.deliver(welcome());
    socket.drop(4001, 'slow consumer');
    expect(delays.at(-1)).toMatchObject({ code: 4001, reason: 'slow consumer', delayMs: 500 });
  });

  it('reconnects within a second, with jitter, after a server restart (4000)', async () => {
    const { server, clock, client, states } = setup({ random: () => 0.25 });
    const first = await open(server, client);
    const reconnecting = collect(client, 'reconnecting');
    first.drop(4000, 'server restart');
    expect(reconnecting).toEqual([{ code: 4000, reason: 'server restart', delayMs: 250 }]);
    expect(client.state).toBe('waiting');
    clock.advance(249);
    expect(server.sockets).toHaveLength(1);
    clock.advance(1);
    expect(client.state).toBe('connecting');
    await server.next();
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open', 'waiting', 'connecting']);
  });

  it('ends for good on a final close code and tells the app', async () => {
    const { server, clock, client } = setup();
    const first = await open(server, client);
    const closed = collect(client, 'closed');
    const pending = client.sendChat('never acked');
    first.drop(1000, 'event over');
    expect(client.state).toBe('closed');
    expect(closed).toEqual([{ code: 1000, reason: 'event over' }]);
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    clock.advance(60_000);
    expect(server.sockets).toHaveLength(1);
  });

  it('treats codes in the final range as final', async () => {
    const { server, client } = setup();
    const first = await open(server, client);
    first.drop(4501, 'banned');
    expect(client.state).toBe('closed');
  });

  it('asks the token provider again when its token is about to expire', async () => {
    const clock = new ManualClock();
    const expiresAt = clock.now() + 60_000;
    let calls = 0;
    const provider = () => {
      calls++;
      return Promise.resolve(fakeJwt(calls === 1 ? expiresAt : expiresAt + 3_600_000, calls));
    };
    const { server, client } = setup({ clock, token: provider });
    const first = await open(server, client);
    expect(first.url.searchParams.get('token')).toBe(fakeJwt(expiresAt, 1));
    first.drop(1006);
    clock.advance(500);
    const second = await server.next();
    expect(calls).toBe(1); // still good for more than 30 s
    clock.advance(40_000); // now within 30 s of exp
    second.drop(1006);
    clock.advance(1_000);
    const third = await server.next();
    expect(calls).toBe(2);
    expect(third.url.searchParams.get('token')).toBe(fakeJwt(expiresAt + 3_600_000, 2));
  });

  it('backs off when the token provider fails', async () => {
    let fail = true;
    const { server, clock, client } = setup({
      token: () => (fail ? Promise.reject(new Error('API down')) : Promise.resolve('tok')),
    });
    const reconnecting = collect(client, 'reconnecting');
    const waiting = new Promise<void>((resolve) =>
      client.on('state', (s) => s.state === 'waiting' && resolve()),
    );
    client.connect();
    await waiting;
    expect(reconnecting[0]).toMatchObject({ reason: 'token provider failed', delayMs: 500 });
    fail = false;
    clock.advance(500);
    const socket = await server.next();
    expect(socket.url.searchParams.get('token')).toBe('tok');
  });

  it('stops everything on close(), including a scheduled reconnect', async () => {
    const { server, clock, client } = setup();
    const first = await open(server, client);
    first.drop(1006);
    expect(client.state).toBe('waiting');
    const closed = collect(client, 'closed');
    client.close();
    client.close(); // idempotent
    expect(closed).toEqual([{ code: 1000, reason: 'client closed' }]);
    clock.advance(60_000);
    expect(server.sockets).toHaveLength(1);
    await expect(client.sendChat('too late')).rejects.toBeInstanceOf(ClientClosedError);
  });
});

describe('FanfareClient sendChat', () => {
  it('queues while connecting and resends with the same key after a drop', async () => {
    const { server, clock, client } = setup();
    const sent = client.sendChat('hello');
    const first = await open(server, client);
    const [frame] = first.sentOf('chat.send');
    expect(frame).toMatchObject({ type: 'chat.send', text: 'hello' });
    expect(frame?.key).toMatch(/^[\w-]{16,64}$/);

    first.drop(1006);
    clock.advance(500);
    const second = await server.next();
    expect(second.sentOf('chat.send')).toEqual([]); // not before the welcome
    second.deliver(welcome({ continuity: 'resumed' }));
    expect(second.sentOf('chat.send')).toEqual([frame]);
    second.deliver({
      type: 'ack',
      ref: frame!.ref!,
      id: 'm1',
      epoch: 'e1',
      seq: 1,
      duplicate: true,
    });
    await expect(sent).resolves.toMatchObject({ seq: 1, duplicate: true });
  });

  it('sends one message at a time, in call order', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    const a = client.sendChat('a');
    const b = client.sendChat('b');
    expect(socket.sentOf('chat.send').map((m) => m.text)).toEqual(['a']);
    socket.deliver({
      type: 'ack',
      ref: socket.sentOf('chat.send')[0]!.ref!,
      id: 'm1',
      epoch: 'e1',
      seq: 1,
    });
    expect(socket.sentOf('chat.send').map((m) => m.text)).toEqual(['a', 'b']);
    socket.deliver({
      type: 'ack',
      ref: socket.sentOf('chat.send')[1]!.ref!,
      id: 'm2',
      epoch: 'e1',
      seq: 2,
    });
    expect((await Promise.all([a, b])).map((ack) => ack.seq)).toEqual([1, 2]);
  });

  it('waits out retryAfterMs and resends the same frame', async () => {
    const { server, clock, client } = setup();
    const socket = await open(server, client);
    const sent = client.sendChat('slow down');
    const [frame] = socket.sentOf('chat.send');
    socket.deliver({
      type: 'error',
      code: 'rate_limited',
      message: 'x',
      ref: frame!.ref!,
      retryAfterMs: 300,
    });
    clock.advance(299);
    expect(socket.sentOf('chat.send')).toHaveLength(1);
    clock.advance(1);
    expect(socket.sentOf('chat.send')).toEqual([frame, frame]);
    socket.deliver({ type: 'ack', ref: frame!.ref!, id: 'm1', epoch: 'e1', seq: 1 });
    await expect(sent).resolves.toMatchObject({ seq: 1 });
  });

  it(`gives up after ${MAX_CHAT_ATTEMPTS} retry-after refusals`, async () => {
    const { server, clock, client } = setup({ random: () => 0.5 });
    const socket = await open(server, client);
    const sent = client.sendChat('down');
    const waits: number[] = [];
    for (let i = 0; i < MAX_CHAT_ATTEMPTS; i++) {
      const frame = socket.sentOf('chat.send').at(-1)!;
      socket.deliver({ type: 'error', code: 'unavailable', message: 'down', ref: frame.ref! });
      waits.push(...clock.pendingDelays());
      clock.advance(10_000);
    }
    expect(socket.sentOf('chat.send')).toHaveLength(MAX_CHAT_ATTEMPTS);
    expect(waits).toEqual([250, 500, 1000, 2000]); // backoff when no retryAfterMs is given
    await expect(sent).rejects.toMatchObject({ name: 'ChatRefusedError', code: 'unavailable' });
  });

  it('rejects on a fix refusal and moves on to the next message', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    const errors = collect(client, 'error');
    const dup = client.sendChat('same');
    const next = client.sendChat('other');
    const ref = socket.sentOf('chat.send')[0]!.ref!;
    socket.deliver({ type: 'error', code: 'duplicate_message', message: 'again', ref });
    const err = await dup.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatRefusedError);
    expect(err).toMatchObject({ code: 'duplicate_message' });
    expect(socket.sentOf('chat.send').map((m) => m.text)).toEqual(['same', 'other']);
    expect(errors).toEqual([]); // answered a send: not an app-level error
    client.close();
    await expect(next).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('refuses empty, invisible, policy-refused and over-long text without sending it', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    await expect(client.sendChat('   ')).rejects.toMatchObject({ code: 'text_empty' });
    await expect(client.sendChat('\u200b\u2060')).rejects.toMatchObject({ code: 'text_empty' });
    await expect(client.sendChat('a\u0000b')).rejects.toMatchObject({ code: 'invalid_text' });
    await expect(client.sendChat('x'.repeat(501))).rejects.toMatchObject({
      code: 'text_too_long',
    });
    expect(socket.sentOf('chat.send')).toEqual([]);
  });

  it('reports error frames that answer no send', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    const errors = collect(client, 'error');
    socket.deliver({ type: 'error', code: 'reaction_rate_limited', message: 'x', retryAfterMs: 5 });
    expect(errors).toMatchObject([{ code: 'reaction_rate_limited' }]);
  });
});

describe('FanfareClient react', () => {
  it('merges taps into one frame per window and drops taps while disconnected', async () => {
    const { server, clock, client } = setup({ tapFlushMs: 100 });
    client.react('🔥'); // idle: dropped
    const socket = await open(server, client);
    client.react('🔥');
    client.react('🔥', 2);
    clock.advance(100);
    expect(socket.sentOf('react')).toEqual([{ type: 'react', emoji: '🔥', count: 3 }]);
    client.react('👏');
    socket.drop(1006); // pending taps go with the session
    clock.advance(100);
    expect(socket.sentOf('react')).toHaveLength(1);
    expect(() => client.react('🍕' as '🔥')).toThrow(TypeError);
  });
});

/** An unsigned JWT-shaped token with `exp` (ms) — enough for the client, which never verifies. */
function fakeJwt(expMs: number, n: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'ES256' })}.${part({ exp: Math.floor(expMs / 1000), n })}.sig`;
}
