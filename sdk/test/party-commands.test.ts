// Host commands always settle: by their own answer (never by another change's timeline), and
// with PartyRequestTimeoutError when no answer comes within PARTY_REQUEST_TIMEOUT_MS. Against the
// fake gateway with its readiness gate: the cases integrators met through real networks.

import { describe, expect, it } from 'vitest';
import { PARTY_REQUEST_TIMEOUT_MS, PartyRequestTimeoutError } from '../src/index.js';
import { open, setup } from './fake-server.js';
import { annHostsBob, partyWorld, timeline, view } from './party-setup.js';

/** Resolves to the promise's outcome so far without waiting for it: pending, or what it settled to. */
async function peek<T>(promise: Promise<T>): Promise<{ state: string; value?: unknown }> {
  const pending = { state: 'pending' };
  const settled = promise.then(
    (value) => ({ state: 'resolved', value }),
    (value: unknown) => ({ state: 'rejected', value }),
  );
  return Promise.race([settled, Promise.resolve().then(() => Promise.resolve(pending))]);
}

describe('party commands settle', () => {
  it('settles a pause sent right after a seek while a member rebuffers, by its own answer', async () => {
    const { ann, bob } = await annHostsBob();
    ann.client.party.setReadiness('ready');
    bob.client.party.setReadiness('ready');
    expect(await ann.client.party.command({ op: 'play' })).toMatchObject({ paused: false });
    const sought = await ann.client.party.command({ op: 'seek', position: 60 });
    expect(sought).toMatchObject({ paused: true, position: 60 });
    expect(ann.client.party.view?.gate?.waitingFor).toEqual(['u1', 'u2']);
    // Paused already: the pause only cancels the gate, and still settles.
    const paused = await ann.client.party.command({ op: 'pause' });
    expect(paused).toEqual(sought);
    expect(ann.client.party.view?.gate).toBeNull();
  });

  it('settles a play while a member buffers at once, with the gate in the party view', async () => {
    const { ann, bob } = await annHostsBob();
    ann.client.party.setReadiness('ready');
    const played = await ann.client.party.command({ op: 'play' });
    expect(played).toMatchObject({ paused: true, version: 1 });
    expect(ann.client.party.view?.gate?.waitingFor).toEqual(['u2']);
    bob.client.party.setReadiness('ready'); // the gate opens: a new timeline, for everyone
    expect(ann.client.party.view?.timeline).toMatchObject({ paused: false, version: 2 });
  });

  it('does not settle a command with a later change’s timeline, only with its own answer', async () => {
    const { server, client } = setup();
    const socket = await open(server, client);
    socket.deliver({ type: 'party', party: view(1) });
    const play = client.party.command({ op: 'play' });
    const ref = socket.sentOf('party.command')[0]!.ref!;
    // Another change (a gate opening, another host's command) moves the timeline first.
    const other = timeline(2, { paused: false, position: 5 });
    socket.deliver({ type: 'party.timeline', partyId: 'party1', timeline: other, serverTime: 1 });
    expect(await peek(play)).toEqual({ state: 'pending' });
    const answer = timeline(3, { paused: false, position: 7 });
    socket.deliver({ type: 'party', party: view(2, { timeline: answer }), ref });
    expect(await peek(play)).toEqual({ state: 'resolved', value: answer });
  });

  it('rejects a command left unanswered for PARTY_REQUEST_TIMEOUT_MS with PartyRequestTimeoutError', async () => {
    const { fan, clock } = partyWorld({ silentCommands: true });
    const ann = await fan('u1', 'Ann');
    await ann.client.party.create('film.mp4');
    const play = ann.client.party.command({ op: 'play' });
    clock.advance(PARTY_REQUEST_TIMEOUT_MS - 1);
    expect(await peek(play)).toEqual({ state: 'pending' });
    clock.advance(1);
    const outcome = await peek(play);
    expect(outcome.state).toBe('rejected');
    expect(outcome.value).toBeInstanceOf(PartyRequestTimeoutError);
    expect(outcome.value).toMatchObject({ code: 'request_timeout' });
  });
});
