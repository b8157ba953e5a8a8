// Resuming after a dropped connection, on a real engine (one per test, so seqs start at 1): the
// app's `chat` events show every message exactly once, in order, however the messages were split
// between live frames and the resumed snapshot.

import { afterEach, describe, expect, it } from 'vitest';
import { connectedFan, startTestEngine, type Engine, type Fan } from './engine.js';
import { GatedClock } from './gated-clock.js';
import { collect, range, waitFor, waitUntil } from './wait-for.js';

describe('FanfareClient resume', () => {
  let engine: Engine | undefined;
  const fans: Fan[] = [];

  afterEach(async () => {
    for (const fan of fans.splice(0)) fan.client.close();
    await engine?.close();
    engine = undefined;
  });

  async function fan(e: Engine, name: string, options?: Parameters<typeof connectedFan>[2]) {
    const f = await connectedFan(e, name, options);
    fans.push(f);
    return f;
  }

  it('resumes after a drop without a close frame and shows each message once', async () => {
    engine = await startTestEngine();
    const clock = new GatedClock();
    const ann = await fan(engine, 'Ann', { clock });
    const bob = await fan(engine, 'Bob');
    const annChat = collect(ann.client, 'chat');
    const continuity = collect(ann.client, 'continuity');
    const seqs = () => annChat.map((m) => m.seq);

    await bob.client.sendChat('before the drop 1');
    await bob.client.sendChat('before the drop 2');
    await waitUntil(ann.client, 'chat', () => seqs().length === 2, 'Ann sees 2 messages');

    // Keep Ann away until Bob has chatted, so the gap is only closed by the resume.
    clock.hold();
    const dropped = waitFor(ann.client, 'reconnecting');
    ann.socket().terminate();
    expect(await dropped).toMatchObject({ code: 1006 });
    for (let i = 1; i <= 5; i++) await bob.client.sendChat(`while away ${i}`);
    // Once Bob has them, the room has published them: Ann's snapshot will hold all five.
    await waitUntil(bob.client, 'chat', () => bob.client.lastSeq === 7, 'Bob sees seq 7');
    expect(seqs()).toEqual([1, 2]);

    const resumed = waitFor(ann.client, 'welcome');
    clock.release();
    const snapshot = (await resumed).snapshot;
    expect(snapshot.continuity).toBe('resumed');
    expect(snapshot.chat.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
    const query = new URL(ann.sockets[1]!.url).searchParams;
    expect([query.get('since'), query.get('epoch')]).toEqual(['2', snapshot.epoch]);
    for (let i = 1; i <= 3; i++) await bob.client.sendChat(`after the return ${i}`);
    await waitUntil(ann.client, 'chat', () => seqs().length >= 10, 'Ann sees 10 messages');

    expect(seqs()).toEqual(range(1, 10));
    expect(annChat.map((m) => m.text).slice(2, 7)).toEqual(
      range(1, 5).map((i) => `while away ${i}`),
    );
    // One resume, or more if the gateway also dropped the new socket (see client.test.ts).
    expect(continuity.length).toBeGreaterThanOrEqual(1);
    expect(continuity.every((c) => c === 'resumed')).toBe(true);
    expect(ann.client.lastSeq).toBe(10);
  });

  it('shows each message once while dropped repeatedly during a stream of chat', async () => {
    engine = await startTestEngine();
    const ann = await fan(engine, 'Ann');
    const bob = await fan(engine, 'Bob');
    const annChat = collect(ann.client, 'chat');
    const continuity = collect(ann.client, 'continuity');
    const total = 30;
    for (let i = 1; i <= total; i++) {
      const ack = await bob.client.sendChat(`stream ${i}`);
      expect(ack.seq).toBe(i);
      if (i % 10 === 5) {
        // Drop Ann's live connection; she reconnects on her own (20 ms backoff cap).
        await waitUntil(ann.client, 'state', () => ann.client.state === 'open', 'Ann is open');
        ann.socket().terminate();
      }
    }
    await waitUntil(ann.client, 'chat', () => annChat.length >= total, `Ann sees ${total}`);
    expect(annChat.map((m) => m.seq)).toEqual(range(1, total));
    expect(annChat.map((m) => m.text)).toEqual(range(1, total).map((i) => `stream ${i}`));
    expect(ann.sockets.length).toBeGreaterThanOrEqual(4);
    expect(continuity.length).toBeGreaterThanOrEqual(3);
    expect(continuity.every((c) => c === 'resumed')).toBe(true);
  });
});
