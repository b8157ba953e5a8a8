// Watch parties against the fake gateway: requests answered by ref, the mirror keeping the
// highest versions, host commands and their refusals, chat echoes, and what a drop does.

import { describe, expect, it } from 'vitest';
import {
  ClientClosedError,
  MAX_COMMAND_REBASES,
  PartyRefusedError,
  PartyRequestLostError,
  type PartyTimelineUpdate,
} from '../src/index.js';
import { open, setup, welcome } from './fake-server.js';
import { annHostsBob, partyWorld, timeline, view } from './party-setup.js';
import { collect } from './wait-for.js';

const versions = (updates: PartyTimelineUpdate[]) => updates.map((u) => u.timeline.version);

describe('FanfareClient watch parties', () => {
  it('creates a party, and a second fan joins it with the code', async () => {
    const { fan } = partyWorld();
    const ann = await fan('u1', 'Ann');
    const bob = await fan('u2', 'Bob');
    const annViews = collect(ann.client, 'party');
    const created = await ann.client.party.create('film.mp4', { maxSize: 4 });
    expect(created).toMatchObject({ hostId: 'u1', maxSize: 4, timeline: { media: 'film.mp4' } });
    expect(ann.socket.sentOf('party.create')[0]).toMatchObject({ media: 'film.mp4', maxSize: 4 });

    const joined = await bob.client.party.join(created.code.toLowerCase());
    expect(joined.members.map((m) => m.userId)).toEqual(['u1', 'u2']);
    expect(ann.client.party.view?.members.map((m) => m.userId)).toEqual(['u1', 'u2']);
    expect(annViews.map((v) => v.version)).toEqual([1, 2]);
  });

  it('keeps the highest party version and the newest timeline, each on its own', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    const parties = collect(client, 'party');
    const timelines = collect(client, 'partyTimeline');
    socket.deliver({ type: 'party', party: view(3, { timeline: timeline(2) }) });
    socket.deliver({ type: 'party', party: view(2, { hostId: 'stale' }) });
    socket.deliver({
      type: 'party.timeline',
      partyId: 'party1',
      timeline: timeline(5),
      serverTime: 1,
    });
    socket.deliver({
      type: 'party.timeline',
      partyId: 'party1',
      timeline: timeline(4),
      serverTime: 1,
    });
    socket.deliver({
      type: 'party.timeline',
      partyId: 'party1',
      timeline: timeline(5),
      serverTime: 2,
    });
    socket.deliver({
      type: 'party.timeline',
      partyId: 'other',
      timeline: timeline(9),
      serverTime: 2,
    });
    // A newer view built before the last timeline change: the view is kept, the timeline too.
    socket.deliver({ type: 'party', party: view(4, { hostId: 'u2', timeline: timeline(3) }) });

    expect(parties.map((p) => p.version)).toEqual([3, 4]);
    expect(versions(timelines)).toEqual([2, 5]);
    expect(client.party.view).toMatchObject({ version: 4, hostId: 'u2', timeline: { version: 5 } });
  });

  it('resolves a command with the timeline of its answer', async () => {
    const { fan } = partyWorld();
    const ann = await fan('u1', 'Ann');
    await ann.client.party.create('film.mp4');
    ann.client.party.setReadiness('ready'); // else the play waits behind the gate
    const played = await ann.client.party.command({ op: 'play' });
    expect(played).toMatchObject({ paused: false, version: 2 });
    expect(ann.socket.sentOf('party.command')[0]).toMatchObject({ version: 1 });
    const sought = await ann.client.party.command({ op: 'seek', position: 42 });
    expect(sought).toMatchObject({ position: 42, version: 3 });
    expect(ann.client.party.view?.timeline).toEqual(sought);
  });

  it('resolves a command that changed nothing with the timeline as it is', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    socket.deliver({ type: 'party', party: view(1, { timeline: timeline(3, { paused: false }) }) });
    const command = client.party.command({ op: 'play' }); // playing already
    const ref = socket.sentOf('party.command')[0]!.ref!;
    socket.deliver({
      type: 'party',
      party: view(1, { timeline: timeline(3, { paused: false }) }),
      ref,
    });
    await expect(command).resolves.toMatchObject({ version: 3, paused: false });
  });

  it('rejects a command from a member who is not host with not_host', async () => {
    const { bob } = await annHostsBob();
    const err = await bob.client.party.command({ op: 'pause' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartyRefusedError);
    expect(err).toMatchObject({ code: 'not_host' });
  });

  it('rejects with timeline_conflict, and the error is not reported as an app error', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    const errors = collect(client, 'error');
    socket.deliver({ type: 'party', party: view(1, { timeline: timeline(7) }) });
    const command = client.party.command({ op: 'play' });
    const frame = socket.sentOf('party.command')[0]!;
    expect(frame.version).toBe(7);
    socket.deliver({ type: 'error', code: 'timeline_conflict', message: 'stale', ref: frame.ref! });
    await expect(command).rejects.toMatchObject({ code: 'timeline_conflict' });
    expect(errors).toEqual([]);
  });

  it('sends a command again on the newer timeline when the timeline moved under it', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    socket.deliver({ type: 'party', party: view(1, { timeline: timeline(7) }) });
    const command = client.party.command({ op: 'seek', position: 12 });
    const first = socket.sentOf('party.command')[0]!;
    // The server opened a gate (version 8) before the seek arrived: the host hears of it, then of
    // the refusal, on the same socket.
    const opened = timeline(8, { paused: false });
    socket.deliver({ type: 'party.timeline', partyId: 'party1', timeline: opened, serverTime: 1 });
    socket.deliver({ type: 'error', code: 'timeline_conflict', message: 'stale', ref: first.ref! });
    await Promise.resolve();
    const second = socket.sentOf('party.command')[1]!;
    expect(second).toMatchObject({ version: 8, command: { op: 'seek', position: 12 } });
    expect(second.ref).not.toBe(first.ref);
    const sought = view(1, { timeline: timeline(9, { position: 12 }) });
    socket.deliver({ type: 'party', party: sought, ref: second.ref! });
    await expect(command).resolves.toMatchObject({ version: 9, position: 12 });
  });

  it('rebases at most MAX_COMMAND_REBASES times, and not at all when told to refuse', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    socket.deliver({ type: 'party', party: view(1, { timeline: timeline(1) }) });
    const moved = async (version: number) => {
      const sent = socket.sentOf('party.command');
      const tl = timeline(version);
      socket.deliver({ type: 'party.timeline', partyId: 'party1', timeline: tl, serverTime: 1 });
      const ref = sent.at(-1)!.ref!;
      socket.deliver({ type: 'error', code: 'timeline_conflict', message: 'stale', ref });
      for (let i = 0; i < 3; i++) await Promise.resolve();
    };
    const pause = client.party.command({ op: 'pause' });
    for (let v = 2; v <= 2 + MAX_COMMAND_REBASES; v++) await moved(v);
    await expect(pause).rejects.toMatchObject({ code: 'timeline_conflict' });
    expect(socket.sentOf('party.command')).toHaveLength(1 + MAX_COMMAND_REBASES);

    const strict = client.party.command({ op: 'play' }, { onConflict: 'refuse' });
    await moved(10);
    await expect(strict).rejects.toMatchObject({ code: 'timeline_conflict' });
    expect(socket.sentOf('party.command')).toHaveLength(2 + MAX_COMMAND_REBASES);
  });

  it('refuses, without sending, what it can tell is wrong', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    await expect(client.party.command({ op: 'play' })).rejects.toMatchObject({
      code: 'not_in_party',
    });
    await expect(client.party.create('  ')).rejects.toMatchObject({ code: 'invalid_frame' });
    await expect(client.party.create('m', { maxSize: 1 })).rejects.toMatchObject({
      code: 'invalid_frame',
    });
    await expect(client.party.chat(' ')).rejects.toMatchObject({ code: 'text_empty' });
    expect(socket.sent.filter((m) => m.type.startsWith('party.'))).toEqual([]);
  });

  it('refuses a request while not connected with unavailable: nothing was sent', async () => {
    const { client } = setup();
    await expect(client.party.join('CODE0001')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('resolves a party chat send with the server’s echo; every member gets it', async () => {
    const { ann, bob } = await annHostsBob();
    const bobHears = collect(bob.client, 'partyChat');
    const sent = await ann.client.party.chat('  look at this  ');
    expect(sent).toMatchObject({ text: 'look at this', author: { id: 'u1' } });
    expect(bobHears).toEqual([sent]);
  });

  it('hands the host role over and leaves', async () => {
    const { ann, bob } = await annHostsBob();
    expect((await ann.client.party.handHost('u2')).hostId).toBe('u2');
    expect(bob.client.party.view?.hostId).toBe('u2');

    const lefts = collect(ann.client, 'partyLeft');
    await expect(ann.client.party.leave()).resolves.toMatchObject({ reason: 'left' });
    expect(lefts).toHaveLength(1);
    expect(ann.client.party.view).toBeUndefined();
    expect(bob.client.party.view?.members.map((m) => m.userId)).toEqual(['u2']);
  });

  it('ignores a late frame of a party it left, but takes the party back when it rejoins', async () => {
    const { ann, bob, created } = await annHostsBob();
    const { code, id } = created;
    await bob.client.party.leave();
    bob.socket.deliver({ type: 'party', party: { ...ann.client.party.view!, version: 99 } });
    expect(bob.client.party.view).toBeUndefined();
    await expect(bob.client.party.join(code)).resolves.toMatchObject({ id });
    expect(bob.client.party.view?.id).toBe(id);
  });

  it('sends readiness only while in a party', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    client.party.setReadiness('ready'); // in no party: no one to tell
    expect(socket.sentOf('party.ready')).toEqual([]);
    socket.deliver({ type: 'party', party: view(1) });
    client.party.setReadiness('ready');
    expect(socket.sentOf('party.ready')).toEqual([{ type: 'party.ready', readiness: 'ready' }]);
  });

  it('rejects requests a drop caught, then mirrors the party the server re-attaches', async () => {
    const { fan, party, clock } = partyWorld();
    const ann = await fan('u1', 'Ann');
    const { code } = await ann.client.party.create('film.mp4');
    // The command reaches the server, which plays, but the answer is lost with the connection.
    ann.socket.respond = undefined;
    const lost = ann.client.party.command({ op: 'play' }).catch((e: unknown) => e);
    ann.socket.drop(1006);
    expect(await lost).toBeInstanceOf(PartyRequestLostError);
    party.setTimeline(code, { paused: false });

    clock.advance(1_000);
    const timelines = collect(ann.client, 'partyTimeline');
    const second = await ann.server.next();
    second.deliver(welcome({ continuity: 'resumed' }, ann.user));
    party.reattach(second, ann.user);
    expect(ann.client.party.view?.timeline).toMatchObject({ paused: false });
    expect(versions(timelines)).toEqual([party.party(code)!.timeline.version]);
  });

  it('rejects pending requests when the client closes', async () => {
    const { server, client } = setup();
    await open(server, client);
    const joining = client.party.join('CODE0001');
    client.close();
    await expect(joining).rejects.toBeInstanceOf(ClientClosedError);
    await expect(client.party.create('m')).rejects.toBeInstanceOf(ClientClosedError);
  });
});
