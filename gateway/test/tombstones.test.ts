// Deleted messages: a connected fan gets the message, then its tombstone, with seqs gap-free over
// both; nobody who joins or resumes later is shown a deleted message; a resuming fan who holds
// one is told to drop it.

import { deleteMsgId, encodeLogRecord } from '@fanfare/fanout';
import type { ChatBatch, ServerMessage } from '@fanfare/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

const fast = {
  chat: {
    fan: { ratePerSecond: 1000, burst: 1000 },
    staff: { ratePerSecond: 1000, burst: 1000 },
    duplicateWindowMs: 0,
  },
};

/** What the API does when a moderator deletes a message. */
async function deleteMessage(g: TestGateway, id: string, target: number): Promise<number> {
  const record = encodeLogRecord({ kind: 'delete', id, target, by: 'mod-1' });
  return (await g.log.append('demo', record, deleteMsgId(id))).seq;
}

/** Sends `texts` from a fresh talker; resolves with each message's id and seq, by text. */
async function say(
  g: TestGateway,
  ...texts: string[]
): Promise<Map<string, { id: string; seq: number }>> {
  const { fan } = await g.join({ name: 'Talker' });
  const acks = new Map<string, { id: string; seq: number }>();
  for (const text of texts) {
    fan.send({ type: 'chat.send', text, ref: text });
    const ack = await fan.next('ack', (a) => a.ref === text);
    acks.set(text, { id: ack.id, seq: ack.seq });
  }
  return acks;
}

const batches = (frames: ServerMessage[]) =>
  frames.filter((f): f is ChatBatch => f.type === 'chat');
const allSeqs = (frames: ServerMessage[]) =>
  batches(frames)
    .flatMap((b) => [...b.messages.map((m) => m.seq), ...(b.deleted ?? []).map((t) => t.seq)])
    .sort((a, b) => a - b);

describe('deleted messages', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('reaches a connected fan as the message, then its tombstone, seqs gap-free', async () => {
    g = await startGateway(fast);
    const { fan } = await g.join();
    const said = await say(g, 'one', 'rude', 'three');
    const rude = said.get('rude')!;
    const deletedAt = await deleteMessage(g, rude.id, rude.seq);
    await say(g, 'five');
    await fan.until('five', () => fan.chatTexts().includes('five'));
    expect(fan.chatTexts()).toEqual(['one', 'rude', 'three', 'five']);
    const tombstones = batches(fan.frames).flatMap((b) => b.deleted ?? []);
    expect(tombstones).toEqual([{ seq: deletedAt, id: rude.id }]);
    expect(deletedAt).toBe(4);
    expect(allSeqs(fan.frames)).toEqual([1, 2, 3, 4, 5]);
  });

  it('never shows a deleted message to a late joiner; lastSeq counts the deletion', async () => {
    g = await startGateway(fast);
    const said = await say(g, 'one', 'rude', 'three');
    const { fan: watcher } = await g.join();
    const rude = said.get('rude')!;
    await deleteMessage(g, rude.id, rude.seq);
    await watcher.until('the tombstone', (f) => batches(f).some((b) => b.deleted !== undefined));
    const { welcome } = await g.join();
    expect(welcome.snapshot.chat.map((m) => m.text)).toEqual(['one', 'three']);
    expect(welcome.snapshot.lastSeq).toBe(4);
    expect(welcome.snapshot).not.toHaveProperty('deleted');
  });

  it('leaves a deleted message out of a resume that starts before it, from buffer or log', async () => {
    for (const recentMessages of [1000, 2]) {
      g = await startGateway({ ...fast, recentMessages });
      const said = await say(g, 'one', 'rude', 'three', 'four', 'five', 'six');
      const { fan: watcher } = await g.join();
      const rude = said.get('rude')!;
      await deleteMessage(g, rude.id, rude.seq);
      await watcher.until('the tombstone', (f) => batches(f).some((b) => b.deleted !== undefined));
      const { welcome } = await g.join({}, {}, await g.since(1));
      expect(welcome.snapshot.continuity).toBe('resumed');
      expect(welcome.snapshot.chat.map((m) => m.text)).toEqual(['three', 'four', 'five', 'six']);
      expect(welcome.snapshot.lastSeq).toBe(7);
      await g.close();
    }
    g = await startGateway(); // for afterEach
  });

  it('tells a resuming fan that held a message to drop it', async () => {
    g = await startGateway(fast);
    const said = await say(g, 'one', 'rude', 'three');
    const { fan: watcher } = await g.join();
    const rude = said.get('rude')!;
    const deletedAt = await deleteMessage(g, rude.id, rude.seq);
    await watcher.until('the tombstone', (f) => batches(f).some((b) => b.deleted !== undefined));
    const { welcome, fan } = await g.join({}, {}, await g.since(3));
    expect(welcome.snapshot).toMatchObject({
      continuity: 'resumed',
      chat: [],
      deleted: [{ seq: deletedAt, id: rude.id }],
      lastSeq: 4,
    });
    await say(g, 'five');
    expect((await fan.next('chat')).messages.map((m) => m.seq)).toEqual([5]);
  });

  it('still acks a retry of a message that was deleted meanwhile', async () => {
    g = await startGateway(fast);
    const { fan } = await g.join({ sub: 'kim' });
    fan.send({ type: 'chat.send', text: 'oops', ref: 'a', key: 'k1' });
    const first = await fan.next('ack');
    await deleteMessage(g, first.id, first.seq);
    await fan.until('the tombstone', (f) => batches(f).some((b) => b.deleted !== undefined));
    fan.send({ type: 'chat.send', text: 'oops', ref: 'b', key: 'k1' });
    expect(await fan.next('ack', (a) => a.ref === 'b')).toEqual({
      type: 'ack',
      ref: 'b',
      id: first.id,
      epoch: first.epoch,
      seq: first.seq,
      duplicate: true,
    });
  });
});
