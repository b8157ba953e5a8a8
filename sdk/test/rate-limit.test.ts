// Rate limits on a real engine with a one-message burst: quick sends are refused with
// `rate_limited`, waited out and resent, and all land once, in the order they were made.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedFan, interceptFrames, startTestEngine, type Engine, type Fan } from './engine.js';
import { collect, waitUntil } from './wait-for.js';

describe('FanfareClient under a chat rate limit', () => {
  let engine: Engine;
  const fans: Fan[] = [];

  beforeAll(async () => {
    // One message at once, one more a second (the slowest refill the gateway's config takes:
    // a whole number per second). The client sends its next message only after the last one's
    // ack, and that send must reach the server before a token comes back for it to be refused:
    // at 1/s a loaded machine has a second to do it, not 200 ms as at 5/s.
    engine = await startTestEngine({ CHAT_BURST: '1', CHAT_RATE_PER_SECOND: '1' });
  });
  afterAll(async () => {
    for (const fan of fans) fan.client.close();
    await engine.close();
  });

  it('retries rate-limited sends after retryAfterMs until all are stored, in order', async () => {
    const refusals: number[] = [];
    const ann = await connectedFan(engine, 'Ann', {
      onSocket: (socket) =>
        interceptFrames(socket, (frame) => {
          const parsed = JSON.parse(frame) as {
            type: string;
            code?: string;
            retryAfterMs?: number;
          };
          if (parsed.type === 'error' && parsed.code === 'rate_limited') {
            refusals.push(parsed.retryAfterMs ?? -1);
          }
          return true;
        }),
    });
    const bob = await connectedFan(engine, 'Bob');
    fans.push(ann, bob);
    const bobChat = collect(bob.client, 'chat');
    const delays = collect(ann.client, 'chatDelayed');

    const texts = ['first', 'second', 'third'];
    const acks = await Promise.all(texts.map((t) => ann.client.sendChat(t)));
    await waitUntil(bob.client, 'chat', () => bobChat.length >= 3, 'Bob sees 3 messages');

    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(refusals.every((ms) => ms > 0 && ms <= 1000)).toBe(true);
    // Each refusal the client waited out was announced, with the server's wait.
    expect(delays.map((d) => [d.code, d.waitMs])).toEqual(
      refusals.map((ms) => ['rate_limited', ms]),
    );
    expect(delays.every((d) => d.attempt >= 1)).toBe(true);
    expect(acks.map((a) => a.seq)).toEqual([1, 2, 3]);
    expect(acks.some((a) => a.duplicate)).toBe(false);
    expect(bobChat.map((m) => m.text)).toEqual(texts);
    expect(bobChat.map((m) => m.seq)).toEqual([1, 2, 3]);
  });
});
