// Polls on a shard: votes go to the VoteStore with one answer each, and running tallies go out
// at most once per TALLY_INTERVAL_MS per poll, only when they changed, never one frame per vote.

import { ManualClock } from '@fanfare/fanout/testing';
import { StateUnavailableError } from '@fanfare/fanout';
import { TALLY_INTERVAL_MS, type PollView } from '@fanfare/protocol';
import type { FanClient } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

async function barrier(fan: FanClient, ref: string): Promise<void> {
  fan.send({ type: 'ping', ref });
  await fan.next('pong', (p) => p.ref === ref);
}

function poll(id: string, now: number, change: Partial<PollView> = {}): PollView {
  return {
    id,
    question: 'Encore?',
    options: ['Yes', 'No', 'Maybe'],
    state: 'open',
    opensAt: now,
    closesAt: now + 60_000,
    ...change,
  };
}

/** What the API does to open a poll: the vote store first, then the stage. */
async function openPoll(g: TestGateway, p: PollView): Promise<void> {
  await g.votes.open('demo', p.id, p.options.length);
  await g.setStage({ view: { polls: [p] } });
}

describe('votes', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('answers voted, voted duplicate, and refuses a second different vote', async () => {
    g = await startGateway();
    const { fan } = await g.join({ sub: 'v1' });
    await openPoll(g, poll('p1', Date.now()));
    await fan.next('stage');
    fan.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'a' });
    expect(await fan.next('voted')).toEqual({ type: 'voted', ref: 'a', pollId: 'p1', option: 0 });
    fan.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'b' });
    expect(await fan.next('voted')).toEqual({
      type: 'voted',
      ref: 'b',
      pollId: 'p1',
      option: 0,
      duplicate: true,
    });
    fan.send({ type: 'vote', pollId: 'p1', option: 1, ref: 'c' });
    expect(await fan.next('error')).toMatchObject({ code: 'already_voted', ref: 'c' });
    expect((await g.votes.tally('p1')).counts).toEqual([1, 0, 0]);
  });

  it('refuses unknown polls, bad options, closed polls and ended events with their codes', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join();
    await openPoll(g, poll('p1', clock.now()));
    await fan.next('stage');
    fan.send({ type: 'vote', pollId: 'nope', option: 0, ref: 'u' });
    expect(await fan.next('error')).toMatchObject({ code: 'unknown_poll', ref: 'u' });
    fan.send({ type: 'vote', pollId: 'p1', option: 3, ref: 'i' });
    expect(await fan.next('error')).toMatchObject({ code: 'invalid_option', ref: 'i' });
    clock.advance(60_000); // past closesAt, before the API closes it
    fan.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'late' });
    expect(await fan.next('error')).toMatchObject({ code: 'poll_closed', ref: 'late' });
    await g.setStage({ view: { state: 'ended' } });
    await fan.next('stage', (s) => s.stage.state === 'ended');
    fan.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'e' });
    expect(await fan.next('error')).toMatchObject({ code: 'event_ended', ref: 'e' });
  });

  it('answers a fan of another event voting for this event’s poll as for an unknown poll, counting nothing', async () => {
    g = await startGateway();
    const { fan: insider } = await g.join({ sub: 'insider' });
    const { fan: outsider } = await g.join({ sub: 'outsider', evt: 'other' });
    await openPoll(g, poll('p1', Date.now()));
    await insider.next('stage');
    outsider.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'x' });
    expect(await outsider.next('error')).toMatchObject({ code: 'unknown_poll', ref: 'x' });
    expect(await g.votes.tally('p1')).toMatchObject({ counts: [0, 0, 0], total: 0 });
    // The same fan id voting in its own event is still counted once.
    insider.send({ type: 'vote', pollId: 'p1', option: 2, ref: 'y' });
    expect(await insider.next('voted')).toMatchObject({ pollId: 'p1', option: 2 });
    expect((await g.votes.close('p1')).counts).toEqual([0, 0, 1]);
  });

  it('says poll_closed when the store has closed a poll the stage still shows open', async () => {
    g = await startGateway();
    const { fan } = await g.join();
    await openPoll(g, poll('p1', Date.now()));
    await fan.next('stage');
    await g.votes.close('p1');
    fan.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'c' });
    expect(await fan.next('error')).toMatchObject({ code: 'poll_closed', ref: 'c' });
  });

  it('answers unavailable with a retry hint when the vote store is down', async () => {
    g = await startGateway();
    const { fan } = await g.join();
    await openPoll(g, poll('p1', Date.now()));
    await fan.next('stage');
    g.votes.vote = () => Promise.reject(new StateUnavailableError('vote', new Error('redis down')));
    fan.send({ type: 'vote', pollId: 'p1', option: 0, ref: 'x' });
    expect(await fan.next('error')).toMatchObject({
      code: 'unavailable',
      ref: 'x',
      retryAfterMs: 1000,
    });
  });

  it('limits how fast one fan may vote', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({ votes: { ratePerSecond: 1, burst: 2 } }, clock);
    const { fan } = await g.join();
    await openPoll(g, poll('p1', clock.now()));
    await fan.next('stage');
    for (const ref of ['a', 'b', 'c']) fan.send({ type: 'vote', pollId: 'p1', option: 0, ref });
    expect(await fan.next('error')).toMatchObject({ code: 'rate_limited', ref: 'c' });
  });
});

describe('tallies', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('sends one tally per interval with every vote counted, and none when nothing changed', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const fans = await Promise.all(Array.from({ length: 5 }, () => g.join()));
    const watcher = fans[0]!.fan;
    await openPoll(g, poll('p1', clock.now()));
    await watcher.next('stage');
    const options = [0, 1, 1, 2, 1];
    await Promise.all(
      fans.map(async ({ fan }, i) => {
        fan.send({ type: 'vote', pollId: 'p1', option: options[i]!, ref: 'v' });
        await fan.next('voted');
      }),
    );
    expect(watcher.frames.filter((f) => f.type === 'tally')).toEqual([]);
    clock.advance(TALLY_INTERVAL_MS);
    expect(await watcher.next('tally')).toEqual({
      type: 'tally',
      pollId: 'p1',
      version: 5,
      counts: [1, 3, 1],
      total: 5,
    });
    clock.advance(TALLY_INTERVAL_MS * 4); // no votes: nothing to send
    await barrier(watcher, 'quiet');
    expect(watcher.frames.filter((f) => f.type === 'tally')).toHaveLength(1);
    // a late joiner gets the latest tally in its snapshot
    const late = await g.join();
    expect(late.welcome.snapshot.tallies).toEqual([
      { pollId: 'p1', version: 5, counts: [1, 3, 1], total: 5 },
    ]);
  });

  it('stops tallying a poll once the stage closes it', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const { fan } = await g.join();
    const open = poll('p1', clock.now());
    await openPoll(g, open);
    await fan.next('stage');
    expect((await g.join()).welcome.snapshot.tallies).toEqual([
      { pollId: 'p1', version: 0, counts: [0, 0, 0], total: 0 },
    ]);
    fan.send({ type: 'vote', pollId: 'p1', option: 2, ref: 'v' });
    await fan.next('voted');
    const result = await g.votes.close('p1');
    await g.setStage({ view: { polls: [{ ...open, state: 'closed', result }] } });
    await fan.next('stage', (s) => s.stage.polls[0]?.state === 'closed');
    clock.advance(TALLY_INTERVAL_MS * 2);
    await barrier(fan, 'after');
    expect(fan.frames.filter((f) => f.type === 'tally')).toEqual([]);
    expect((await g.join()).welcome.snapshot.tallies).toEqual([]);
  });
});
