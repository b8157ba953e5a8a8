// The stage, poll tallies and votes against the fake gateway: versioned snapshots keep the
// highest version whichever path brought them, and a vote is answered by ref.

import { describe, expect, it } from 'vitest';
import { ClientClosedError, VoteRefusedError } from '../src/index.js';
import { open, pollTally, pollView, setup, stageView, welcome } from './fake-server.js';
import { collect } from './wait-for.js';

describe('FanfareClient stage', () => {
  it('holds the welcome’s stage and replaces it only with higher versions', async () => {
    const { server, client } = setup();
    const stages = collect(client, 'stage');
    expect(client.stage).toBeUndefined();
    const socket = await open(server, client, { stage: stageView(3) });
    expect(client.stage?.version).toBe(3);
    socket.deliver({ type: 'stage', stage: stageView(5, { title: 'Encore' }) });
    socket.deliver({ type: 'stage', stage: stageView(4, { title: 'stale' }) });
    socket.deliver({ type: 'stage', stage: stageView(5, { title: 'repeat' }) });
    expect(stages.map((s) => s.version)).toEqual([3, 5]);
    expect(client.stage).toMatchObject({ version: 5, title: 'Encore' });
  });

  it('keeps its newer stage when a lagging shard welcomes it with an older one', async () => {
    const { server, clock, client } = setup();
    const first = await open(server, client, { stage: stageView(2) });
    first.deliver({ type: 'stage', stage: stageView(6, { state: 'ended' }) });
    first.drop(1006);
    clock.advance(500);
    const stages = collect(client, 'stage');
    await open(server, client, { continuity: 'resumed', stage: stageView(5) });
    expect(stages).toEqual([]);
    expect(client.stage).toMatchObject({ version: 6, state: 'ended' });
  });

  it('keeps the highest tally version per poll, from the snapshot and from frames', async () => {
    const { server, client } = setup();
    const tallies = collect(client, 'tally');
    const socket = await open(server, client, {
      tallies: [pollTally('p1', 4), pollTally('p2', 1)],
    });
    socket.deliver({ type: 'tally', ...pollTally('p1', 3) });
    socket.deliver({ type: 'tally', ...pollTally('p1', 7) });
    socket.deliver({ type: 'tally', ...pollTally('p2', 1, [9, 9, 9]) });
    expect(tallies.map((t) => `${t.pollId}@${t.version}`)).toEqual(['p1@4', 'p2@1', 'p1@7']);
    expect(client.tally('p1')).toEqual(pollTally('p1', 7)); // the frame's `type` left out
    expect(client.tally('p2')).toEqual(pollTally('p2', 1));
    expect(client.tally('p3')).toBeUndefined();
  });
});

describe('FanfareClient vote', () => {
  const stage = stageView(1, {
    polls: [pollView('p1'), pollView('old', { state: 'closed' })],
  });

  it('sends a vote with a ref and resolves with the voted answer', async () => {
    const { server, client } = setup();
    const socket = await open(server, client, { stage });
    const voted = client.vote('p1', 2);
    const [frame] = socket.sentOf('vote');
    expect(frame).toMatchObject({ type: 'vote', pollId: 'p1', option: 2 });
    socket.deliver({ type: 'voted', ref: 'someone else', pollId: 'p1', option: 0 });
    socket.deliver({ type: 'voted', ref: frame!.ref!, pollId: 'p1', option: 2 });
    await expect(voted).resolves.toEqual({
      type: 'voted',
      ref: frame!.ref,
      pollId: 'p1',
      option: 2,
    });
  });

  it('rejects with the error frame’s code, which is then not reported as an app error', async () => {
    const { server, client } = setup();
    const socket = await open(server, client, { stage });
    const errors = collect(client, 'error');
    const voted = client.vote('p1', 1);
    const ref = socket.sentOf('vote')[0]!.ref!;
    socket.deliver({ type: 'error', code: 'already_voted', message: 'one vote', ref });
    const err = await voted.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoteRefusedError);
    expect(err).toMatchObject({ code: 'already_voted' });
    expect(errors).toEqual([]);
  });

  it('sends a vote cast while connecting, and again after a drop lost its answer', async () => {
    const { server, clock, client } = setup();
    const voted = client.vote('p9', 4); // a poll the client does not know yet: the server decides
    const first = await open(server, client);
    const [frame] = first.sentOf('vote');
    expect(frame).toMatchObject({ pollId: 'p9', option: 4 });
    first.drop(1006);
    clock.advance(500);
    const second = await server.next();
    expect(second.sentOf('vote')).toEqual([]); // not before the welcome
    second.deliver(welcome({ continuity: 'resumed' }));
    expect(second.sentOf('vote')).toEqual([frame]);
    second.deliver({ type: 'voted', ref: frame!.ref!, pollId: 'p9', option: 4, duplicate: true });
    await expect(voted).resolves.toMatchObject({ duplicate: true });
  });

  it('refuses, without sending, what the stage already rules out', async () => {
    const { server, client } = setup();
    const socket = await open(server, client, { stage });
    await expect(client.vote('old', 0)).rejects.toMatchObject({ code: 'poll_closed' });
    await expect(client.vote('p1', 3)).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(client.vote('p1', 0.5)).rejects.toMatchObject({ code: 'invalid_frame' });
    await expect(client.vote('p9', 5)).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(client.vote('', 0)).rejects.toMatchObject({ code: 'invalid_frame' });
    expect(socket.sentOf('vote')).toEqual([]);
  });

  it('rejects pending votes when the client closes', async () => {
    const { server, client } = setup();
    await open(server, client, { stage });
    const voted = client.vote('p1', 0);
    client.close();
    await expect(voted).rejects.toBeInstanceOf(ClientClosedError);
    await expect(client.vote('p1', 0)).rejects.toBeInstanceOf(ClientClosedError);
  });
});
