// The event's stage on a shard: mirrored from bus notices at once and from the store's version
// within STAGE_CHECK_MS, sent to fans as the view only (never the rules), and enforced: ticketed
// access at the upgrade, and the chat rules (event over, entitled-only chat, blocked terms, slow
// mode) in that order, each with its code.

import type { StageStore } from '@fanfare/fanout';
import { Close } from '@fanfare/protocol';
import { ManualClock } from '@fanfare/fanout/testing';
import { expectRefused, type FanClient } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { STAGE_CHECK_MS } from '../src/index.js';
import { startGateway, type TestGateway } from './harness.js';

async function barrier(fan: FanClient, ref: string): Promise<void> {
  fan.send({ type: 'ping', ref });
  await fan.next('pong', (p) => p.ref === ref);
}

describe('stage mirror', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('welcomes with the default stage when the API has none: live, titled by the event id', async () => {
    g = await startGateway();
    const { welcome } = await g.join({ evt: 'final-night' });
    expect(welcome.snapshot.stage).toEqual({
      version: 0,
      title: 'final-night',
      state: 'live',
      pinned: null,
      slowModeS: null,
      entitledOnlyChat: false,
      polls: [],
    });
    expect(welcome.snapshot.tallies).toEqual([]);
  });

  it('sends a noticed change to every fan as a stage frame, without the chat rules', async () => {
    g = await startGateway();
    const { fan: a } = await g.join();
    const { fan: b } = await g.join();
    const pinned = { text: 'Doors at 8', pinnedAt: 1 };
    await g.setStage({ view: { title: 'Final', pinned }, rules: { blockedTerms: ['secretword'] } });
    const [forA, forB] = await Promise.all([a.next('stage'), b.next('stage')]);
    expect(forA).toEqual(forB);
    expect(forA.stage).toMatchObject({ version: 1, title: 'Final', pinned });
    expect(JSON.stringify(forA)).not.toContain('secretword');
    expect(forA).not.toHaveProperty('rules');
    expect((await g.join()).welcome.snapshot.stage.title).toBe('Final');
  });

  it('catches a change whose notice was lost within one version check, and ignores stale notices', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join();
    await g.setStage({ view: { title: 'Quiet change' } }, { announce: false });
    await barrier(fan, 'p1');
    expect(fan.frames.filter((f) => f.type === 'stage')).toEqual([]);
    clock.advance(STAGE_CHECK_MS);
    expect((await fan.next('stage')).stage).toMatchObject({ version: 1, title: 'Quiet change' });
    clock.advance(STAGE_CHECK_MS); // unchanged: nothing more
    await barrier(fan, 'p2');
    expect(fan.frames.filter((f) => f.type === 'stage')).toHaveLength(1);
  });

  it('keeps its last stage while the store is unreachable', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join();
    await g.setStage({ view: { state: 'ended' } });
    await fan.next('stage');
    breakStore(g.stages);
    clock.advance(STAGE_CHECK_MS * 3);
    fan.send({ type: 'chat.send', text: 'anyone?', ref: 'r1' });
    expect(await fan.next('error')).toMatchObject({ code: 'event_ended', ref: 'r1' });
    expect((await g.join()).welcome.snapshot.stage.state).toBe('ended');
  });
});

describe('ticketed access', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('refuses fans without a ticketed entitlement with 403 not_entitled; admits holders and staff', async () => {
    g = await startGateway();
    await g.setStage({ rules: { access: 'ticketed' } }, { evt: 'vip-show' });
    const refusal = await expectRefused(`${g.url}?token=${await g.sign({ evt: 'vip-show' })}`);
    expect(refusal).toMatchObject({ status: 403, reason: 'not_entitled' });
    const holder = await g.join({ evt: 'vip-show', extra: { ent: ['ticketed', 'future-perk'] } });
    expect(holder.welcome.eventId).toBe('vip-show');
    const mod = await g.join({ evt: 'vip-show', role: 'moderator' });
    expect(mod.welcome.user.role).toBe('moderator');
    // unknown entitlements alone grant nothing
    const other = await expectRefused(
      `${g.url}?token=${await g.sign({ evt: 'vip-show', extra: { ent: ['future-perk'] } })}`,
    );
    expect(other.reason).toBe('not_entitled');
  });

  it('closes fans already connected without a ticket when the event turns ticketed (4501)', async () => {
    g = await startGateway();
    const plain = await g.join({ evt: 'turns-vip' });
    const holder = await g.join({ evt: 'turns-vip', extra: { ent: ['ticketed'] } });
    const mod = await g.join({ evt: 'turns-vip', role: 'moderator' });
    await g.setStage({ rules: { access: 'ticketed' } }, { evt: 'turns-vip' });
    expect((await plain.fan.closed).code).toBe(Close.notEntitled);
    // Those entitled stay: the stage reaches them and they are still served.
    await holder.fan.next('stage');
    await mod.fan.next('stage');
    await barrier(holder.fan, 'h1');
    await barrier(mod.fan, 'm1');
  });
});

describe('chat rules from the stage', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('closes chat once the event has ended', async () => {
    g = await startGateway();
    const { fan } = await g.join({ role: 'producer' });
    await g.setStage({ view: { state: 'ended' } });
    await fan.next('stage');
    fan.send({ type: 'chat.send', text: 'one more thing', ref: 'r1' });
    expect(await fan.next('error')).toMatchObject({ code: 'event_ended', ref: 'r1' });
  });

  it('keeps entitled-only chat to ticket holders and staff', async () => {
    g = await startGateway();
    const { fan: plain } = await g.join();
    const { fan: holder } = await g.join({ extra: { ent: ['ticketed'] } });
    await g.setStage({ view: { entitledOnlyChat: true }, rules: { entitledOnlyChat: true } });
    await plain.next('stage');
    await holder.next('stage');
    plain.send({ type: 'chat.send', text: 'me too', ref: 'p' });
    expect(await plain.next('error')).toMatchObject({ code: 'chat_restricted', ref: 'p' });
    holder.send({ type: 'chat.send', text: 'front row here', ref: 'h' });
    expect((await holder.next('ack')).ref).toBe('h');
  });

  it('refuses blocked terms as whole words, case-insensitively', async () => {
    g = await startGateway();
    const { fan } = await g.join();
    await g.setStage({ rules: { blockedTerms: ['spoiler', 'scam*'] } });
    await fan.next('stage');
    fan.send({ type: 'chat.send', text: 'huge SPOILER ahead', ref: 'a' });
    expect(await fan.next('error')).toMatchObject({ code: 'blocked_term', ref: 'a' });
    fan.send({ type: 'chat.send', text: 'scammers everywhere', ref: 'b' });
    expect(await fan.next('error')).toMatchObject({ code: 'blocked_term', ref: 'b' });
    fan.send({ type: 'chat.send', text: 'no spoilers please', ref: 'c' });
    expect((await fan.next('ack')).ref).toBe('c');
  });

  it('holds fans to slow mode with a retry hint; moderators are exempt', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join();
    const { fan: mod } = await g.join({ role: 'moderator' });
    await g.setStage({ view: { slowModeS: 10 }, rules: { slowModeS: 10 } });
    await fan.next('stage');
    fan.send({ type: 'chat.send', text: 'first', ref: 'a' });
    await fan.next('ack');
    clock.advance(4000);
    fan.send({ type: 'chat.send', text: 'second', ref: 'b' });
    expect(await fan.next('error')).toMatchObject({
      code: 'slow_mode',
      ref: 'b',
      retryAfterMs: 6000,
    });
    mod.send({ type: 'chat.send', text: 'mod one', ref: 'm1' });
    mod.send({ type: 'chat.send', text: 'mod two', ref: 'm2' });
    await mod.next('ack', (a) => a.ref === 'm2');
    clock.advance(6000);
    fan.send({ type: 'chat.send', text: 'third', ref: 'c' });
    expect((await fan.next('ack')).ref).toBe('c');
  });

  it('under the ingest cap lets staff and ticket holders through while ordinary fans get chat_busy', async () => {
    const clock = new ManualClock(Date.now());
    const fast = { ratePerSecond: 1000, burst: 1000 };
    g = await startGateway({ chat: { fan: fast, staff: fast, duplicateWindowMs: 0 } }, clock);
    const { fan } = await g.join();
    const { fan: holder } = await g.join({ extra: { ent: ['ticketed'] } });
    const { fan: mod } = await g.join({ role: 'moderator' });
    await g.setStage({ rules: { chatCapPerSec: 10 } }); // one shard: the whole cap, 2 reserved
    await fan.next('stage');
    for (let i = 1; i <= 9; i++) fan.send({ type: 'chat.send', text: `f${i}`, ref: `f${i}` });
    const busy = await fan.next('error');
    expect(busy).toMatchObject({ code: 'chat_busy', ref: 'f9' });
    expect(busy.retryAfterMs).toBeGreaterThan(0);
    expect(fan.frames.filter((f) => f.type === 'ack')).toHaveLength(8);
    holder.send({ type: 'chat.send', text: 'ticket holder', ref: 'h' });
    expect((await holder.next('ack')).ref).toBe('h');
    mod.send({ type: 'chat.send', text: 'moderator', ref: 'm' });
    expect((await mod.next('ack')).ref).toBe('m');
    mod.send({ type: 'chat.send', text: 'moderator again', ref: 'm2' });
    expect(await mod.next('error')).toMatchObject({ code: 'chat_busy', ref: 'm2' });
    clock.advance(1000); // a second later the bucket is full again
    fan.send({ type: 'chat.send', text: 'back', ref: 'f10' });
    expect((await fan.next('ack', (a) => a.ref === 'f10')).ref).toBe('f10');
  });
});

/** Makes every read of the store fail, as an unreachable Redis does. */
function breakStore(store: StageStore): void {
  const down = () => Promise.reject(new Error('store down'));
  store.version = down;
  store.get = down;
}
