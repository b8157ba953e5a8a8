// Closing polls over Hono's in-process request path, PGlite and the memory vote store: by hand
// and at the deadline (driven by the manual clock), the exact recount persisted and shown to fans
// in the stage, and what happens while the vote store is unreachable.

import { MemoryVoteStore, StateUnavailableError, type VoteStore } from '@fanfare/fanout';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from './fixture.js';
import { POLL, pollHelpers, type PollJson } from './poll-helpers.js';
import { problemOf } from './responses.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
beforeEach(async () => {
  await f.reset();
});
afterAll(async () => {
  await f?.close();
});

const { openPoll, auditActions, pollService } = pollHelpers(() => f);

describe('closing a poll', () => {
  it('persists the exact recount, shows the result in the stage, audits and forgets votes', async () => {
    await f.seedEvent('final');
    const seen = f.watchStage('final');
    const poll = await openPoll('final');
    for (const [fan, option] of [
      ['a', 0],
      ['b', 2],
      ['c', 2],
      ['d', 2],
      ['a', 1], // already voted: not counted
    ] as const) {
      await f.votes.vote('final', poll.id, fan, option);
    }
    f.clock.advance(10_000);
    const res = await f.call(
      'POST',
      `/v1/events/final/polls/${poll.id}/close`,
      await f.staffToken(),
    );
    expect(res.status).toBe(200);
    const closed = ((await res.json()) as { poll: PollJson }).poll;
    expect(closed).toMatchObject({
      state: 'closed',
      closedAt: f.clock.now(),
      result: { counts: [1, 0, 3], total: 4 },
    });
    const stored = await f.db.polls.get(poll.id);
    expect(stored).toMatchObject({ state: 'closed', result: [1, 0, 3], totalVotes: 4 });
    expect(seen.at(-1)?.view.polls).toEqual([
      expect.objectContaining({
        id: poll.id,
        state: 'closed',
        result: { counts: [1, 0, 3], total: 4 },
      }),
    ]);
    // The votes were discarded once the result was persisted.
    expect((await f.votes.tally(poll.id)).counts).toEqual([]);
    expect(await auditActions('final')).toEqual([
      { action: 'poll.close', actorRole: 'producer', target: poll.id },
      { action: 'poll.open', actorRole: 'producer', target: poll.id },
    ]);
    const again = await f.call(
      'POST',
      `/v1/events/final/polls/${poll.id}/close`,
      await f.staffToken(),
    );
    expect(again.status).toBe(409);
    expect((await problemOf(again)).code).toBe('poll_not_open');
    expect((await f.db.polls.get(poll.id))?.result).toEqual([1, 0, 3]);
  });

  it('closes by itself at closesAt with the recount, audited as poll.auto_close', async () => {
    await f.seedEvent('final');
    const seen = f.watchStage('final');
    const poll = await openPoll('final', { ...POLL, durationS: 15 });
    await f.votes.vote('final', poll.id, 'a', 1);
    await f.votes.vote('final', poll.id, 'b', 1);
    f.clock.advance(14_999);
    await f.polls.idle();
    expect((await f.db.polls.get(poll.id))?.state).toBe('open');
    f.clock.advance(1);
    await f.polls.idle();
    const stored = await f.db.polls.get(poll.id);
    expect(stored).toMatchObject({ state: 'closed', result: [0, 2, 0], totalVotes: 2 });
    expect(stored?.closedAt?.getTime()).toBe(poll.closesAt);
    expect(seen.at(-1)?.view.polls[0]?.result).toEqual({ counts: [0, 2, 0], total: 2 });
    expect((await auditActions('final'))[0]).toEqual({
      action: 'poll.auto_close',
      actorRole: 'system',
      target: poll.id,
    });
  });

  it('settles a producer’s close racing the auto-close on one persisted result', async () => {
    await f.seedEvent('final');
    const poll = await openPoll('final', { ...POLL, durationS: 15 });
    await f.votes.vote('final', poll.id, 'a', 0);
    const token = await f.staffToken();
    const closing = f.call('POST', `/v1/events/final/polls/${poll.id}/close`, token);
    f.clock.advance(15_000);
    const [res] = await Promise.all([closing, f.polls.idle()]);
    await f.polls.idle();
    const stored = await f.db.polls.get(poll.id);
    expect(stored).toMatchObject({ state: 'closed', result: [1, 0, 0], totalVotes: 1 });
    const closes = (await auditActions('final')).filter((a) => a.action !== 'poll.open');
    expect(closes).toHaveLength(1);
    expect([200, 409]).toContain(res.status);
    expect(res.status === 200).toBe(closes[0]?.action === 'poll.close');
  });

  it('leaves a poll the producer already closed alone when its deadline passes', async () => {
    await f.seedEvent('final');
    const poll = await openPoll('final', { ...POLL, durationS: 15 });
    await f.call('POST', `/v1/events/final/polls/${poll.id}/close`, await f.staffToken());
    f.clock.advance(60_000);
    await f.polls.idle();
    expect((await auditActions('final')).map((a) => a.action)).toEqual(['poll.close', 'poll.open']);
  });

  it('re-arms auto-close from the database on start, closing overdue polls at once', async () => {
    await f.seedEvent('final');
    const votes = new MemoryVoteStore();
    const base = { eventId: 'final', question: 'Q?', options: ['x', 'y'], createdBy: 'p' };
    const now = f.clock.now();
    await f.db.polls.create({
      ...base,
      id: 'p_overdue',
      durationS: 30,
      opensAt: new Date(now - 60_000),
      allowConcurrent: true,
    });
    await f.db.polls.create({
      ...base,
      id: 'p_later',
      durationS: 30,
      opensAt: new Date(now),
      allowConcurrent: true,
    });
    await votes.open('final', 'p_overdue', 2);
    await votes.vote('final', 'p_overdue', 'a', 1);
    await votes.open('final', 'p_later', 2);
    const restarted = pollService(votes);
    try {
      await restarted.start();
      expect(await f.db.polls.get('p_overdue')).toMatchObject({ state: 'closed', result: [0, 1] });
      expect((await f.db.polls.get('p_later'))?.state).toBe('open');
      f.clock.advance(30_000);
      await restarted.idle();
      expect(await f.db.polls.get('p_later')).toMatchObject({ state: 'closed', result: [0, 0] });
    } finally {
      restarted.close();
    }
  });

  it('opens the polls again in an empty vote store on start, so votes count after a restart', async () => {
    await f.seedEvent('final');
    const poll = await openPoll('final', POLL);
    // The embedded mode restarted: Postgres (PGlite) kept the poll, the memory vote store did not.
    const empty = new MemoryVoteStore();
    expect((await empty.vote('final', poll.id, 'fan-1', 0)).status).toBe('poll_closed');
    const restarted = pollService(empty);
    try {
      await restarted.start();
      expect((await empty.vote('final', poll.id, 'fan-1', 0)).status).toBe('accepted');
    } finally {
      restarted.close();
    }
  });

  it('retries an auto-close the vote store refused, and closes once it is back', async () => {
    await f.seedEvent('final');
    const inner = new MemoryVoteStore();
    let up = true;
    const flaky: VoteStore = {
      open: (e, id, n) => inner.open(e, id, n),
      vote: (e, id, u, o) => inner.vote(e, id, u, o),
      tally: (id) => inner.tally(id),
      close: (id) =>
        up ? inner.close(id) : Promise.reject(new StateUnavailableError('vote', null)),
      discard: (id) => inner.discard(id),
    };
    const polls = pollService(flaky);
    try {
      const poll = await polls.open(
        'final',
        { ...POLL, durationS: 15 },
        { id: 'prod', role: 'producer' },
      );
      await inner.vote('final', poll.id, 'a', 2);
      up = false;
      f.clock.advance(15_000);
      await polls.idle();
      expect((await f.db.polls.get(poll.id))?.state).toBe('open');
      up = true;
      f.clock.advance(5_000);
      await polls.idle();
      expect(await f.db.polls.get(poll.id)).toMatchObject({ state: 'closed', result: [0, 0, 1] });
    } finally {
      polls.close();
    }
  });
});
