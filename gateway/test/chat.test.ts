import { ManualClock } from '@fanfare/fanout/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

describe('chat', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('reaches every fan of the event with id, seq, author and server time', async () => {
    g = await startGateway();
    const { fan: ann, welcome } = await g.join({ sub: 'ann', name: 'Ann' });
    const { fan: bob } = await g.join({ sub: 'bob', name: 'Bob' });
    const before = Date.now();
    ann.send({ type: 'chat.send', text: '  hello from Ann  ', ref: 'r1' });
    const ack = await ann.next('ack');
    const [forAnn, forBob] = await Promise.all([ann.next('chat'), bob.next('chat')]);
    expect(forBob).toEqual(forAnn);
    const [message] = forBob.messages;
    expect(message).toEqual({
      id: ack.id,
      seq: 1,
      ts: expect.any(Number),
      author: { id: 'ann', name: 'Ann', role: 'fan' },
      text: 'hello from Ann',
    });
    expect(message!.ts).toBeGreaterThanOrEqual(before - 1);
    const { epoch } = welcome.snapshot;
    expect(ack).toEqual({ type: 'ack', ref: 'r1', id: message!.id, epoch, seq: 1 });

    bob.send({ type: 'chat.send', text: 'hi Ann' });
    const reply = await ann.next('chat');
    expect(reply.messages.map((m) => [m.seq, m.text, m.author.id])).toEqual([[2, 'hi Ann', 'bob']]);
    expect(reply.messages[0]!.id).not.toBe(message!.id);
  });

  it('does not deliver chat to fans of another event', async () => {
    g = await startGateway();
    const { fan: here } = await g.join({ evt: 'match-1' });
    const { fan: there } = await g.join({ evt: 'match-2' });
    here.send({ type: 'chat.send', text: 'only match-1' });
    there.send({ type: 'chat.send', text: 'only match-2' });
    expect((await here.next('chat')).messages[0]!.text).toBe('only match-1');
    expect((await there.next('chat')).messages[0]!.text).toBe('only match-2');
    expect(here.chatTexts()).toEqual(['only match-1']);
  });

  it('refuses a fourth message in a burst with rate_limited and a retry hint', async () => {
    // The default budget (a burst of 3, one more a second) on a clock that stands still: no
    // token comes back while the four messages travel, however long a loaded machine takes.
    // Chat goes out as it is stored (no batch timer), as the clock fires no timers.
    g = await startGateway({ chatBatchMs: 0 }, new ManualClock(Date.now()));
    const { fan } = await g.join();
    const { fan: other } = await g.join();
    for (let i = 1; i <= 4; i++) fan.send({ type: 'chat.send', text: `burst ${i}`, ref: `b${i}` });
    const refusal = await fan.next('error');
    expect(refusal).toMatchObject({ code: 'rate_limited', ref: 'b4' });
    // The bucket is empty and the clock has not moved: one token is a whole second away.
    expect(refusal.retryAfterMs).toBe(1000);
    await other.until('three messages', () => other.chatTexts().length === 3);
    expect(other.chatTexts()).toEqual(['burst 1', 'burst 2', 'burst 3']);
    // the other fan's own budget is untouched
    other.send({ type: 'chat.send', text: 'still here' });
    await fan.until('the other fan chat', () => fan.chatTexts().includes('still here'));
  });

  it('refuses the same text again within the window, whatever its case and spacing', async () => {
    g = await startGateway();
    const { fan } = await g.join();
    fan.send({ type: 'chat.send', text: 'GOAL!!' });
    fan.send({ type: 'chat.send', text: '  goal!! ', ref: 'dup' });
    expect(await fan.next('error')).toMatchObject({ code: 'duplicate_message', ref: 'dup' });
    fan.send({ type: 'chat.send', text: 'what a goal' });
    await fan.until('two messages', () => fan.chatTexts().length === 2);
    expect(fan.chatTexts()).toEqual(['GOAL!!', 'what a goal']);
  });

  it('refuses empty and over-long text with their codes; 500 characters pass', async () => {
    g = await startGateway();
    const { fan } = await g.join();
    fan.send({ type: 'chat.send', text: '   ', ref: 'e' });
    expect(await fan.next('error')).toMatchObject({ code: 'text_empty', ref: 'e' });
    fan.send({ type: 'chat.send', text: 'x'.repeat(501), ref: 'l' });
    expect(await fan.next('error')).toMatchObject({ code: 'text_too_long', ref: 'l' });
    const emoji500 = '🔥'.repeat(500); // 500 characters, 1000 UTF-16 units
    fan.send({ type: 'chat.send', text: emoji500 });
    expect((await fan.next('chat')).messages[0]!.text).toBe(emoji500);
  });

  it('gives a late joiner the last 50 messages, the last seq and the viewer count', async () => {
    g = await startGateway({
      chat: {
        fan: { ratePerSecond: 1000, burst: 1000 },
        staff: { ratePerSecond: 1000, burst: 1000 },
        duplicateWindowMs: 30_000,
      },
    });
    const { fan } = await g.join();
    for (let i = 1; i <= 60; i++) fan.send({ type: 'chat.send', text: `m${i}` });
    await fan.until('60 messages', () => fan.chatTexts().length === 60);
    const { welcome } = await g.join();
    expect(welcome.snapshot.lastSeq).toBe(60);
    expect(welcome.snapshot.chat.map((m) => m.text)).toEqual(
      Array.from({ length: 50 }, (_, i) => `m${i + 11}`),
    );
    expect(welcome.snapshot.chat.map((m) => m.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 11),
    );
    expect(welcome.snapshot.viewers).toBe(2);
  });
});

describe('idempotent chat', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('stores a message once however often its key is sent, acking the first copy', async () => {
    g = await startGateway();
    const { fan } = await g.join({ sub: 'kim' });
    const { fan: other } = await g.join();
    fan.send({ type: 'chat.send', text: 'only once', ref: 'a', key: 'k-1' });
    const first = await fan.next('ack', (a) => a.ref === 'a');
    expect(first.duplicate).toBeUndefined();
    fan.send({ type: 'chat.send', text: 'only once', ref: 'b', key: 'k-1' }); // same session
    const again = await fan.next('ack', (a) => a.ref === 'b');
    const { epoch, seq } = first;
    expect(again).toEqual({ type: 'ack', ref: 'b', id: first.id, epoch, seq, duplicate: true });
    fan.close();
    const { fan: retry } = await g.join({ sub: 'kim' }); // a retry after a reconnect
    retry.send({ type: 'chat.send', text: 'only once', ref: 'c', key: 'k-1' });
    expect(await retry.next('ack', (a) => a.ref === 'c')).toMatchObject({
      seq: 1,
      duplicate: true,
    });
    retry.send({ type: 'chat.send', text: 'next', ref: 'd', key: 'k-2' });
    expect((await retry.next('ack', (a) => a.ref === 'd')).seq).toBe(2);
    await other.until('two messages', () => other.chatTexts().length === 2);
    expect(other.chatTexts()).toEqual(['only once', 'next']);
  });

  it('scopes keys to the user: the same key from another fan is a new message', async () => {
    g = await startGateway();
    const { fan: a } = await g.join({ sub: 'a' });
    const { fan: b } = await g.join({ sub: 'b' });
    a.send({ type: 'chat.send', text: 'from a', ref: 'x', key: 'same' });
    b.send({ type: 'chat.send', text: 'from b', ref: 'y', key: 'same' });
    const [ackA, ackB] = await Promise.all([a.next('ack'), b.next('ack')]);
    expect(ackA.duplicate ?? false).toBe(false);
    expect(ackB.duplicate ?? false).toBe(false);
    expect(new Set([ackA.seq, ackB.seq])).toEqual(new Set([1, 2]));
  });
});
