// Watch parties on one shard, through real sockets: membership, chat, host commands with the
// timeline's compare-and-set, the readiness gate, and host hand-over. Time-driven rules run on a
// ManualClock, so a 30 s gate takes no 30 s.

import { ManualClock } from '@fanfare/fanout/testing';
import { HOST_GRACE_MS, READY_WAIT_MS, START_LEAD_MS } from '@fanfare/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';
import {
  barrier,
  createParty,
  joinParty,
  online,
  partyWhere,
  timelineWhere,
} from './party-helpers.js';

describe('watch parties', () => {
  let g: TestGateway;
  let clock: ManualClock;
  afterEach(async () => {
    await g.close();
  });

  async function start() {
    clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
  }

  /** Ann hosts, Bob joined: both see two members. */
  async function pair() {
    const { fan: ann } = await g.join({ sub: 'ann', name: 'Ann' });
    const { fan: bob } = await g.join({ sub: 'bob', name: 'Bob' });
    const created = await createParty(ann);
    await joinParty(bob, created.code);
    await partyWhere(ann, (p) => p.members.length === 2);
    return { ann, bob, code: created.code };
  }

  it('lets a second fan join with the invite code; both see both members', async () => {
    await start();
    const { fan: ann } = await g.join({ sub: 'ann', name: 'Ann' });
    const { fan: bob } = await g.join({ sub: 'bob', name: 'Bob' });
    const created = await createParty(ann, { media: 'match-replay' });
    expect(created).toMatchObject({ hostId: 'ann', maxSize: 50, gate: null, eventId: 'demo' });
    expect(created.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(created.timeline).toMatchObject({ media: 'match-replay', paused: true, version: 1 });
    const joined = await joinParty(bob, created.code.toLowerCase());
    expect(joined.type).toBe('party');
    const forAnn = await partyWhere(ann, (p) => p.members.length === 2);
    expect(forAnn.members.map((m) => [m.userId, m.online])).toEqual([
      ['ann', true],
      ['bob', true],
    ]);
    expect(joined.type === 'party' && joined.party.members).toEqual(forAnn.members);
  });

  it('refuses a member past the size limit with party_full, and an unknown code', async () => {
    await start();
    const { fan: ann } = await g.join({ sub: 'ann' });
    const { fan: bob } = await g.join({ sub: 'bob' });
    const { fan: cy } = await g.join({ sub: 'cy' });
    const { code } = await createParty(ann, { maxSize: 2 });
    expect((await joinParty(bob, code)).type).toBe('party');
    expect(await joinParty(cy, code)).toMatchObject({ type: 'error', code: 'party_full' });
    expect(await joinParty(cy, 'ZZZZZZZZ')).toMatchObject({ code: 'party_not_found' });
  });

  it('refuses a second party to a member with already_in_party', async () => {
    await start();
    const { ann, bob } = await pair();
    const { fan: cy } = await g.join({ sub: 'cy' });
    const other = await createParty(cy);
    expect(await joinParty(bob, other.code)).toMatchObject({ code: 'already_in_party' });
    ann.send({ type: 'party.create', media: 'x', ref: 'again' });
    expect(await ann.next('error')).toMatchObject({ code: 'already_in_party', ref: 'again' });
  });

  it('sends party chat to the members only, not to other fans of the event', async () => {
    await start();
    const { ann, bob } = await pair();
    const { fan: outsider } = await g.join({ sub: 'zed' });
    bob.send({ type: 'party.chat', text: 'popcorn ready' });
    const [a, b] = await Promise.all([ann.next('party.chat'), bob.next('party.chat')]);
    expect(a.message).toEqual(b.message);
    expect(a.message).toMatchObject({ text: 'popcorn ready', author: { id: 'bob' } });
    await barrier(outsider);
    expect(outsider.frames.some((f) => f.type === 'party.chat')).toBe(false);
    outsider.send({ type: 'party.chat', text: 'let me in', ref: 'o' });
    expect(await outsider.next('error')).toMatchObject({ code: 'not_in_party', ref: 'o' });
  });

  it('refuses commands from a non-host and commands on a stale timeline', async () => {
    await start();
    const { ann, bob } = await pair();
    bob.send({ type: 'party.command', command: { op: 'pause' }, version: 1, ref: 'b' });
    expect(await bob.next('error')).toMatchObject({ code: 'not_host', ref: 'b' });
    ann.send({ type: 'party.command', command: { op: 'seek', position: 5 }, version: 1 });
    await timelineWhere(bob, (t) => t.version === 2 && t.position === 5);
    ann.send({ type: 'party.command', command: { op: 'seek', position: 9 }, version: 1, ref: 's' });
    expect(await ann.next('error')).toMatchObject({ code: 'timeline_conflict', ref: 's' });
    const text = await g.gateway.metrics.registry.getSingleMetricAsString(
      'fanfare_gateway_party_commands_total',
    );
    expect(text).toMatch(/outcome="applied"[^\n]* 1/);
    expect(text).toMatch(/outcome="not_host"[^\n]* 1/);
    expect(text).toMatch(/outcome="timeline_conflict"[^\n]* 1/);
    const parties =
      await g.gateway.metrics.registry.getSingleMetricAsString('fanfare_gateway_parties');
    expect(parties).toMatch(/fanfare_gateway_parties\{[^}]*\} 1/);
  });

  it('holds a play behind a gate while a member buffers, and plays at now + lead once all are ready', async () => {
    await start();
    const { ann, bob } = await pair();
    ann.send({ type: 'party.ready', readiness: 'ready' });
    await partyWhere(bob, (p) => p.members[0]!.readiness === 'ready');
    ann.send({ type: 'party.command', command: { op: 'play' }, version: 1 });
    const gated = await partyWhere(bob, (p) => p.gate !== null);
    expect(gated.gate).toEqual({ until: clock.now() + READY_WAIT_MS, waitingFor: ['bob'] });
    expect(gated.timeline.paused).toBe(true);
    bob.send({ type: 'party.ready', readiness: 'ready' });
    const playing = await timelineWhere(ann, (t) => !t.paused);
    expect(playing).toMatchObject({ position: 0, at: clock.now() + START_LEAD_MS, version: 2 });
    const opened = await partyWhere(bob, (p) => p.version > gated.version && p.gate === null);
    expect(opened.timeline).toEqual(playing);
  });

  it('plays without the laggard once READY_WAIT_MS has passed', async () => {
    await start();
    const { ann, bob } = await pair();
    ann.send({ type: 'party.ready', readiness: 'ready' });
    await partyWhere(bob, (p) => p.members[0]!.readiness === 'ready');
    ann.send({ type: 'party.command', command: { op: 'play' }, version: 1 });
    await partyWhere(bob, (p) => p.gate !== null);
    clock.advance(READY_WAIT_MS - 1000);
    await barrier(bob);
    expect(bob.frames.some((f) => f.type === 'party.timeline' && !f.timeline.paused)).toBe(false);
    clock.advance(1000);
    const playing = await timelineWhere(bob, (t) => !t.paused);
    expect(playing.at).toBe(clock.now() + START_LEAD_MS);
  });

  it('pauses a playing party behind a gate on a seek, and resumes when everyone is ready', async () => {
    await start();
    const { ann, bob } = await pair();
    for (const fan of [ann, bob]) fan.send({ type: 'party.ready', readiness: 'ready' });
    await partyWhere(ann, (p) => p.members.every((m) => m.readiness === 'ready'));
    ann.send({ type: 'party.command', command: { op: 'play' }, version: 1 });
    await timelineWhere(bob, (t) => !t.paused);
    clock.advance(2000);
    ann.send({ type: 'party.command', command: { op: 'seek', position: 600 }, version: 2 });
    const seeked = await partyWhere(bob, (p) => p.timeline.version === 3);
    expect(seeked.timeline).toMatchObject({ paused: true, position: 600 });
    expect(seeked.gate?.waitingFor).toEqual(['ann', 'bob']);
    for (const fan of [ann, bob]) fan.send({ type: 'party.ready', readiness: 'ready' });
    const resumed = await timelineWhere(bob, (t) => t.version === 4);
    expect(resumed).toMatchObject({ paused: false, position: 600 });
  });

  it("answers every command by its ref: a pause during a seek's wait, a play while a member buffers", async () => {
    await start();
    const { ann, bob } = await pair();
    for (const fan of [ann, bob]) fan.send({ type: 'party.ready', readiness: 'ready' });
    await partyWhere(ann, (p) => p.members.every((m) => m.readiness === 'ready'));
    ann.send({ type: 'party.command', command: { op: 'play' }, version: 1, ref: 'play1' });
    expect((await ann.next('party', (f) => f.ref === 'play1')).party.timeline.paused).toBe(false);
    ann.send({
      type: 'party.command',
      command: { op: 'seek', position: 60 },
      version: 2,
      ref: 's',
    });
    const seeked = (await ann.next('party', (f) => f.ref === 's')).party;
    expect(seeked.gate?.waitingFor).toEqual(['ann', 'bob']);
    // The pause changes only the gate (the timeline is paused already): still answered.
    ann.send({ type: 'party.command', command: { op: 'pause' }, version: 3, ref: 'pause' });
    const paused = (await ann.next('party', (f) => f.ref === 'pause')).party;
    expect(paused).toMatchObject({ gate: null, timeline: { version: 3, paused: true } });
    // A play while Bob still buffers only opens a gate: answered at once, not when it opens.
    ann.send({ type: 'party.ready', readiness: 'ready' });
    await partyWhere(ann, (p) => p.members[0]!.readiness === 'ready');
    ann.send({ type: 'party.command', command: { op: 'play' }, version: 3, ref: 'play2' });
    const gated = (await ann.next('party', (f) => f.ref === 'play2')).party;
    expect(gated.gate).toEqual({ until: clock.now() + READY_WAIT_MS, waitingFor: ['bob'] });
    expect(gated.timeline).toMatchObject({ version: 3, paused: true });
    // Changing nothing (play again while gated) is answered too.
    ann.send({ type: 'party.command', command: { op: 'play' }, version: 3, ref: 'play3' });
    expect((await ann.next('party', (f) => f.ref === 'play3')).party.gate).not.toBeNull();
  });

  it('passes the host to the earliest-joined online member when the host leaves', async () => {
    await start();
    const { ann, bob, code } = await pair();
    const { fan: cy } = await g.join({ sub: 'cy' });
    await joinParty(cy, code);
    ann.send({ type: 'party.leave', ref: 'bye' });
    expect(await ann.next('party.left')).toMatchObject({ reason: 'left', ref: 'bye' });
    const after = await partyWhere(cy, (p) => p.members.length === 2);
    expect(after.hostId).toBe('bob');
    await partyWhere(bob, (p) => p.hostId === 'bob');
  });

  it('passes the host on HOST_GRACE_MS after its socket closed, keeping its slot', async () => {
    await start();
    const { ann, bob } = await pair();
    ann.close();
    const offline = await partyWhere(bob, (p) => online(p, 'ann') === false);
    expect(offline.hostId).toBe('ann');
    clock.advance(HOST_GRACE_MS - 1000);
    await barrier(bob);
    expect(bob.frames.some((f) => f.type === 'party' && f.party.hostId === 'bob')).toBe(false);
    clock.advance(1000);
    const handed = await partyWhere(bob, (p) => p.hostId === 'bob');
    expect(handed.members.map((m) => m.userId)).toEqual(['ann', 'bob']);
  });

  it('re-attaches a member who connects again and sends the party right after the welcome', async () => {
    await start();
    const { ann, bob, code } = await pair();
    ann.close();
    await partyWhere(bob, (p) => online(p, 'ann') === false);
    const { fan: again } = await g.join({ sub: 'ann', name: 'Ann' });
    const view = (await again.next('party')).party;
    expect(again.frames.findIndex((f) => f.type === 'party')).toBe(1);
    expect(view).toMatchObject({ code, hostId: 'ann' });
    expect(online(view, 'ann')).toBe(true);
    await partyWhere(bob, (p) => online(p, 'ann') === true);
    again.send({ type: 'party.chat', text: 'back' });
    expect((await bob.next('party.chat')).message.text).toBe('back');
  });
});
