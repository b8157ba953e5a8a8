// A fan that reconnects with the last seq it saw gets every later message exactly once, in
// order: from the room's buffer, or from the event log, or is told continuity was lost.

import { expectRefused } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

const fast = {
  chat: {
    fan: { ratePerSecond: 1000, burst: 1000 },
    staff: { ratePerSecond: 1000, burst: 1000 },
    duplicateWindowMs: 0,
  },
};

async function chatMany(g: TestGateway, from: number, to: number): Promise<void> {
  const { fan } = await g.join({ name: 'Talker' });
  for (let i = from; i <= to; i++) fan.send({ type: 'chat.send', text: `m${i}`, ref: `r${i}` });
  await fan.next('ack', (a) => a.ref === `r${to}`);
  await fan.until('its own last message', () => fan.chatTexts().includes(`m${to}`));
}

const seqs = (messages: { seq: number }[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('resume by sequence', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('sends a reconnecting fan every message after its last seq, then continues live', async () => {
    g = await startGateway(fast);
    await chatMany(g, 1, 30);
    const { welcome, fan } = await g.join({}, {}, await g.since(12));
    expect(welcome.snapshot.continuity).toBe('resumed');
    expect(seqs(welcome.snapshot.chat)).toEqual(range(13, 30));
    expect(welcome.snapshot.lastSeq).toBe(30);
    await chatMany(g, 31, 31);
    expect(seqs((await fan.next('chat')).messages)).toEqual([31]);
  });

  it('gives fans resuming from one position the same gap, and a later one the messages since', async () => {
    g = await startGateway(fast);
    await chatMany(g, 1, 10);
    const from = await g.since(4);
    const a = await g.join({}, {}, from);
    const b = await g.join({}, {}, from);
    expect(seqs(a.welcome.snapshot.chat)).toEqual(range(5, 10));
    expect(b.welcome.snapshot).toEqual({
      ...a.welcome.snapshot,
      viewers: b.welcome.snapshot.viewers,
    });
    // A message later: the shared serialisation is redone, not served stale.
    await chatMany(g, 11, 11);
    const c = await g.join({}, {}, from);
    expect(seqs(c.welcome.snapshot.chat)).toEqual(range(5, 11));
    expect(c.welcome.snapshot.lastSeq).toBe(11);
  });

  it('reads the log when the room buffer does not reach back far enough', async () => {
    g = await startGateway({ ...fast, recentMessages: 5 });
    await chatMany(g, 1, 40);
    const { welcome } = await g.join({}, {}, await g.since(3));
    expect(welcome.snapshot.continuity).toBe('resumed');
    expect(seqs(welcome.snapshot.chat)).toEqual(range(4, 40));
  });

  it('sends nothing extra to a fan that is up to date', async () => {
    g = await startGateway(fast);
    await chatMany(g, 1, 5);
    const { welcome } = await g.join({}, {}, await g.since(5));
    expect(welcome.snapshot).toMatchObject({ continuity: 'resumed', chat: [], lastSeq: 5 });
  });

  it('says continuity was lost when the gap is past the log retention', async () => {
    g = await startGateway({ ...fast, recentMessages: 5 }, undefined, { maxEntries: 10 });
    await chatMany(g, 1, 30);
    const { welcome } = await g.join({}, {}, await g.since(2));
    expect(welcome.snapshot.continuity).toBe('lost');
    expect(seqs(welcome.snapshot.chat).at(-1)).toBe(30);
  });

  it('says continuity was lost when the fan is ahead of the log in its own epoch', async () => {
    g = await startGateway(fast);
    await chatMany(g, 1, 3);
    const { welcome } = await g.join({}, {}, await g.since(900));
    expect(welcome.snapshot.continuity).toBe('lost');
    expect(seqs(welcome.snapshot.chat)).toEqual([1, 2, 3]);
  });

  it('answers a seq of another epoch (a restarted engine) with lost and the new history', async () => {
    g = await startGateway(fast);
    await chatMany(g, 1, 5);
    const old = await g.since(3);
    await g.close();
    g = await startGateway(fast); // a new engine: a new memory log, whose numbers start again
    await chatMany(g, 1, 8);
    const { welcome } = await g.join({}, {}, old);
    expect(welcome.snapshot.continuity).toBe('lost');
    expect(welcome.snapshot.epoch).not.toBe(new URLSearchParams(old).get('epoch'));
    expect(seqs(welcome.snapshot.chat)).toEqual(range(1, 8));
  });

  it('reads a bare since as the current epoch only when it is 0', async () => {
    g = await startGateway(fast);
    await chatMany(g, 1, 4);
    const fromZero = await g.join({}, {}, '&since=0');
    expect(fromZero.welcome.snapshot.continuity).toBe('resumed');
    expect(seqs(fromZero.welcome.snapshot.chat)).toEqual(range(1, 4));
    // Any other bare seq could count in an earlier history: not provable, so lost.
    const bare = await g.join({}, {}, '&since=2');
    expect(bare.welcome.snapshot.continuity).toBe('lost');
    expect(seqs(bare.welcome.snapshot.chat)).toEqual(range(1, 4));
  });

  it('gives a fan without since a fresh snapshot', async () => {
    g = await startGateway(fast);
    expect((await g.join()).welcome.snapshot.continuity).toBe('fresh');
  });

  it('refuses a malformed since with 400 invalid_request', async () => {
    g = await startGateway();
    for (const since of ['-1', 'abc', '1.5', '', '3&epoch=no.dots', '3&epoch=', 'x&epoch=e1']) {
      const r = await expectRefused(`${g.url}?token=${await g.sign()}&since=${since}`);
      expect([r.status, r.reason]).toEqual([400, 'invalid_request']);
    }
    const r = await expectRefused(`${g.url}?token=${await g.sign()}&epoch=e1`);
    expect([r.status, r.reason]).toEqual([400, 'invalid_request']);
  });
});
