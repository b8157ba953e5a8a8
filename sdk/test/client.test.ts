// Two fans on a real embedded engine (API + gateway, joined over HTTP): chat in order, acks,
// refusals, reactions, and a send whose ack is lost to a dropped connection stored only once.

import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatRefusedError, type FanfareClient } from '../src/index.js';
import { connectedFan, interceptFrames, startTestEngine, type Engine, type Fan } from './engine.js';
import { collect, waitFor, waitUntil } from './wait-for.js';

describe('FanfareClient on a real engine', () => {
  let engine: Engine;
  const fans: Fan[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => {
    for (const fan of fans) fan.client.close();
    await engine.close();
  });

  async function fan(name: string, options?: Parameters<typeof connectedFan>[2]): Promise<Fan> {
    const f = await connectedFan(engine, name, options);
    fans.push(f);
    return f;
  }

  /** Waits until `client` has received a chat message with `text`. */
  async function sees(client: FanfareClient, text: string, seen: { text: string }[]) {
    await waitUntil(client, 'chat', () => seen.some((m) => m.text === text), `"${text}" arrives`);
  }

  it('delivers chat between two fans in seq order and resolves sends with their acks', async () => {
    const ann = await fan('Ann');
    const bob = await fan('Bob');
    const bobChat = collect(bob.client, 'chat');
    const texts = ['one', 'two', 'three'].map((t) => `hello ${t}`);
    const acks = await Promise.all(texts.map((t) => ann.client.sendChat(t)));
    await sees(bob.client, texts[2]!, bobChat);

    const received = bobChat.filter((m) => texts.includes(m.text));
    expect(received.map((m) => m.text)).toEqual(texts);
    expect(received.map((m) => m.seq)).toEqual(acks.map((a) => a.seq));
    expect(received.map((m) => m.author.name)).toEqual(['Ann', 'Ann', 'Ann']);
    expect(acks[1]!.seq).toBe(acks[0]!.seq + 1);
    expect(acks.every((a) => a.duplicate !== true)).toBe(true);
    expect(bob.client.lastSeq).toBe(acks[2]!.seq);
  });

  it('rejects text over 500 characters with text_too_long', async () => {
    const ann = await fan('Ann');
    const err = await ann.client.sendChat('x'.repeat(501)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatRefusedError);
    expect(err).toMatchObject({ name: 'ChatRefusedError', code: 'text_too_long' });
  });

  it('rejects a refusal the server says to fix (the same text twice) and keeps chatting', async () => {
    const ann = await fan('Ann');
    await ann.client.sendChat('twice in a row');
    const err = await ann.client.sendChat('Twice  in a row').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatRefusedError);
    expect(err).toMatchObject({ code: 'duplicate_message' });
    await expect(ann.client.sendChat('something new')).resolves.toMatchObject({ type: 'ack' });
  });

  it('merges reaction taps and the other fan sees the total', async () => {
    const ann = await fan('Ann');
    const bob = await fan('Bob');
    const fire = waitFor(bob.client, 'reactions', (r) => (r.counts['🔥'] ?? 0) > 0);
    ann.client.react('🔥');
    ann.client.react('🔥');
    ann.client.react('🔥', 3);
    expect((await fire).counts['🔥']).toBe(5);
  });

  it('stores a message once when its ack is lost to a dropped connection', async () => {
    let swallowed = false;
    const ann = await fan('Ann', {
      onSocket: (socket) =>
        // Swallow the first ack and kill the connection: the server stored the message, the
        // client never heard, and resends it with the same key after reconnecting.
        interceptFrames(socket, (frame) => {
          if (swallowed || !frame.includes('"type":"ack"')) return true;
          swallowed = true;
          (socket as unknown as WebSocket).terminate();
          return false;
        }),
    });
    const bob = await fan('Bob');
    const bobChat = collect(bob.client, 'chat');
    const resumed = waitFor(ann.client, 'continuity', (c) => c === 'resumed');
    const ack = await ann.client.sendChat('sent once, acked late');
    await resumed;
    expect(swallowed).toBe(true);
    expect(ack.duplicate).toBe(true);
    // At least one reconnect; the gateway now and then drops a just-opened socket (1006) right
    // after the same fan's previous one was cut, which costs one more.
    expect(ann.sockets.length).toBeGreaterThanOrEqual(2);

    // Anything stored after the resend arrives after any second copy would have.
    await bob.client.sendChat('marker after resend');
    await sees(bob.client, 'marker after resend', bobChat);
    const copies = bobChat.filter((m) => m.text === 'sent once, acked late');
    expect(copies.map((m) => m.seq)).toEqual([ack.seq]);
  });

  it('stores a message once when the connection dies right after sending it', async () => {
    const ann = await fan('Ann');
    const bob = await fan('Bob');
    const bobChat = collect(bob.client, 'chat');
    const annChat = collect(ann.client, 'chat');
    const reopened = waitFor(ann.client, 'welcome');
    const sending = ann.client.sendChat('sent just before the drop');
    ann.socket().terminate();
    await reopened;
    const ack = await sending;

    await bob.client.sendChat('marker after drop');
    await sees(bob.client, 'marker after drop', bobChat);
    await sees(ann.client, 'marker after drop', annChat);
    for (const seen of [bobChat, annChat]) {
      const copies = seen.filter((m) => m.text === 'sent just before the drop');
      expect(copies.map((m) => m.seq)).toEqual([ack.seq]);
    }
  });
});
