// The poll routes and PollService over Hono's in-process request path, PGlite and the memory
// vote store: who may call them, what they refuse, what they persist, audit and show fans in the
// stage, and the auto-close at the deadline driven by the manual clock.

import { MemoryVoteStore, StateUnavailableError, type VoteStore } from '@fanfare/fanout';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PollService, createApp, type Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

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

interface PollJson {
  id: string;
  question: string;
  options: string[];
  state: string;
  opensAt: number;
  closesAt: number;
  closedAt: number | null;
  durationS: number;
  allowConcurrent: boolean;
  createdBy: string;
  result?: { counts: number[]; total: number };
}

const POLL = { question: 'Man of the match?', options: ['Ann', 'Bo', 'Cy'], durationS: 60 };

async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as Problem;
}

async function openPoll(eventId: string, body: object = POLL): Promise<PollJson> {
  const res = await f.call('POST', `/v1/events/${eventId}/polls`, await f.staffToken(), body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { poll: PollJson }).poll;
}

async function auditActions(eventId: string) {
  return (await f.db.audit.list(eventId)).items.map((e) => ({
    action: e.action,
    actorRole: e.actorRole,
    target: e.target,
  }));
}

describe('opening a poll', () => {
  it('stores it open, shows it to fans in the stage and audits it', async () => {
    await f.seedEvent('final');
    const seen = f.watchStage('final');
    const poll = await openPoll('final', { ...POLL, question: '  Man of the match?  ' });
    expect(poll).toMatchObject({
      question: 'Man of the match?',
      options: ['Ann', 'Bo', 'Cy'],
      state: 'open',
      opensAt: f.clock.now(),
      closesAt: f.clock.now() + 60_000,
      closedAt: null,
      durationS: 60,
      allowConcurrent: false,
      createdBy: 'producer-1',
    });
    expect(poll.id).toMatch(/^p_[A-Za-z0-9_-]{12}$/);
    expect(poll.result).toBeUndefined();
    expect(seen.at(-1)?.view.polls).toEqual([
      {
        id: poll.id,
        question: poll.question,
        options: poll.options,
        state: 'open',
        opensAt: poll.opensAt,
        closesAt: poll.closesAt,
      },
    ]);
    expect(await f.votes.vote(poll.id, 'fan-1', 2)).toEqual({ status: 'accepted', option: 2 });
    expect(await auditActions('final')).toEqual([
      { action: 'poll.open', actorRole: 'producer', target: poll.id },
    ]);
  });

  it('opens in a scheduled event too, but not in a draft or ended one', async () => {
    await f.seedEvent('soon', 'scheduled');
    await openPoll('soon');
    for (const state of ['draft', 'ended', 'archived'] as const) {
      await f.seedEvent(state, state);
      const res = await f.call('POST', `/v1/events/${state}/polls`, await f.staffToken(), POLL);
      expect(res.status).toBe(409);
      expect((await problemOf(res)).code).toBe('event_not_live');
      expect(await f.db.polls.listByEvent(state)).toEqual([]);
    }
  });

  it('refuses a second poll while one is open, unless it allows concurrent polls', async () => {
    await f.seedEvent('final');
    const first = await openPoll('final');
    const token = await f.staffToken();
    const res = await f.call('POST', '/v1/events/final/polls', token, POLL);
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('poll_active');
    const second = await openPoll('final', { ...POLL, allowConcurrent: true });
    expect(second.allowConcurrent).toBe(true);
    expect((await f.db.polls.activeForEvent('final')).map((p) => p.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
    // Once neither is open, a plain poll may open again.
    await f.call('POST', `/v1/events/final/polls/${first.id}/close`, token);
    await f.call('POST', `/v1/events/final/polls/${second.id}/cancel`, token);
    await openPoll('final');
  });

  it('lets exactly one of two producers opening a poll at the same instant win', async () => {
    await f.seedEvent('final');
    // The vote store holds each open until both have reached it: both requests have then
    // passed every check made before the insert, as at the same instant on two replicas.
    const store = new MemoryVoteStore();
    let arrived = 0;
    let release!: () => void;
    const bothThere = new Promise<void>((resolve) => (release = resolve));
    const barrier: VoteStore = {
      open: async (pollId, options) => {
        if (++arrived === 2) release();
        await bothThere;
        return store.open(pollId, options);
      },
      vote: (...args) => store.vote(...args),
      tally: (...args) => store.tally(...args),
      close: (...args) => store.close(...args),
      discard: (...args) => store.discard(...args),
    };
    const polls = new PollService({
      db: f.db,
      votes: barrier,
      stage: f.stage,
      clock: f.clock,
      logger: f.deps.logger!,
    });
    const app = createApp({ ...f.deps, polls });
    const token = await f.staffToken();
    const open = (question: string) =>
      app.request('/v1/events/final/polls', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ ...POLL, question }),
      });
    const answers = await Promise.all([open('One?'), open('Two?')]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const lost = answers.find((r) => r.status === 409)!;
    expect((await problemOf(lost)).code).toBe('poll_active');
    const active = await f.db.polls.activeForEvent('final');
    expect(active).toHaveLength(1);
    polls.close();
  });

  it('answers 503 state_unavailable and stores nothing while the vote store is down', async () => {
    await f.seedEvent('final');
    const down: VoteStore = {
      open: () => Promise.reject(new StateUnavailableError('vote', new Error('ECONNREFUSED'))),
      vote: () => Promise.reject(new StateUnavailableError('vote', undefined)),
      tally: () => Promise.reject(new StateUnavailableError('vote', undefined)),
      close: () => Promise.reject(new StateUnavailableError('vote', undefined)),
      discard: () => Promise.reject(new StateUnavailableError('vote', undefined)),
    };
    const polls = new PollService({
      db: f.db,
      votes: down,
      stage: f.stage,
      clock: f.clock,
      logger: f.deps.logger!,
    });
    const app = createApp({ ...f.deps, polls });
    const res = await app.request('/v1/events/final/polls', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await f.staffToken()}`,
      },
      body: JSON.stringify(POLL),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await problemOf(res)).code).toBe('state_unavailable');
    expect(await f.db.polls.listByEvent('final')).toEqual([]);
    expect(await auditActions('final')).toEqual([]);
    polls.close();
  });
});

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
      await f.votes.vote(poll.id, fan, option);
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
    await f.votes.vote(poll.id, 'a', 1);
    await f.votes.vote(poll.id, 'b', 1);
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
    await f.votes.vote(poll.id, 'a', 0);
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
    await votes.open('p_overdue', 2);
    await votes.vote('p_overdue', 'a', 1);
    await votes.open('p_later', 2);
    const restarted = new PollService({
      db: f.db,
      votes,
      stage: f.stage,
      clock: f.clock,
      logger: f.deps.logger!,
    });
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
    expect((await empty.vote(poll.id, 'fan-1', 0)).status).toBe('poll_closed');
    const restarted = new PollService({
      db: f.db,
      votes: empty,
      stage: f.stage,
      clock: f.clock,
      logger: f.deps.logger!,
    });
    try {
      await restarted.start();
      expect((await empty.vote(poll.id, 'fan-1', 0)).status).toBe('accepted');
    } finally {
      restarted.close();
    }
  });

  it('retries an auto-close the vote store refused, and closes once it is back', async () => {
    await f.seedEvent('final');
    const inner = new MemoryVoteStore();
    let up = true;
    const flaky: VoteStore = {
      open: (id, n) => inner.open(id, n),
      vote: (id, u, o) => inner.vote(id, u, o),
      tally: (id) => inner.tally(id),
      close: (id) =>
        up ? inner.close(id) : Promise.reject(new StateUnavailableError('vote', null)),
      discard: (id) => inner.discard(id),
    };
    const polls = new PollService({
      db: f.db,
      votes: flaky,
      stage: f.stage,
      clock: f.clock,
      logger: f.deps.logger!,
    });
    try {
      const poll = await polls.open(
        'final',
        { ...POLL, durationS: 15 },
        { id: 'prod', role: 'producer' },
      );
      await inner.vote(poll.id, 'a', 2);
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

describe('cancelling a poll', () => {
  it('settles it without a result, shows it cancelled and audits it', async () => {
    await f.seedEvent('final');
    const seen = f.watchStage('final');
    const poll = await openPoll('final');
    await f.votes.vote(poll.id, 'a', 0);
    const token = await f.staffToken();
    const res = await f.call('POST', `/v1/events/final/polls/${poll.id}/cancel`, token);
    expect(res.status).toBe(200);
    const cancelled = ((await res.json()) as { poll: PollJson }).poll;
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.result).toBeUndefined();
    expect(await f.db.polls.get(poll.id)).toMatchObject({ state: 'cancelled', result: null });
    expect(seen.at(-1)?.view.polls).toEqual([expect.objectContaining({ state: 'cancelled' })]);
    expect(await f.votes.vote(poll.id, 'b', 0)).toEqual({ status: 'poll_closed' });
    expect((await auditActions('final'))[0]?.action).toBe('poll.cancel');
    for (const action of ['cancel', 'close']) {
      const again = await f.call('POST', `/v1/events/final/polls/${poll.id}/${action}`, token);
      expect(again.status).toBe(409);
      expect((await problemOf(again)).code).toBe('poll_not_open');
    }
    // Its deadline passing later changes nothing.
    f.clock.advance(60_000);
    await f.polls.idle();
    expect((await f.db.polls.get(poll.id))?.state).toBe('cancelled');
  });
});

describe('reading polls', () => {
  it('lists an event’s polls and gives the running tally of an open one', async () => {
    await f.seedEvent('final');
    const first = await openPoll('final');
    await f.votes.vote(first.id, 'a', 1);
    const token = await f.staffToken('moderator');
    const one = await f.call('GET', `/v1/events/final/polls/${first.id}`, token);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({
      poll: first,
      tally: { version: 1, counts: [0, 1, 0], total: 1 },
    });
    await f.call('POST', `/v1/events/final/polls/${first.id}/close`, await f.staffToken());
    f.clock.advance(1_000);
    const second = await openPoll('final');
    const list = await f.call('GET', '/v1/events/final/polls', await f.staffToken('sre'));
    expect(list.status).toBe(200);
    const { polls } = (await list.json()) as { polls: PollJson[] };
    expect(polls.map((p) => [p.id, p.state])).toEqual([
      [first.id, 'closed'],
      [second.id, 'open'],
    ]);
    const settled = await f.call('GET', `/v1/events/final/polls/${first.id}`, token);
    const body = (await settled.json()) as { poll: PollJson; tally?: unknown };
    expect(body.poll.result).toEqual({ counts: [0, 1, 0], total: 1 });
    expect(body.tally).toBeUndefined();
  });

  it('does not find a poll through another event', async () => {
    await f.seedEvent('final');
    await f.seedEvent('other');
    const poll = await openPoll('final');
    const token = await f.staffToken();
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/close'],
      ['POST', '/cancel'],
    ] as const) {
      const res = await f.call(method, `/v1/events/other/polls/${poll.id}${suffix}`, token);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('poll_not_found');
      const none = await f.call(method, `/v1/events/final/polls/p_nope${suffix}`, token);
      expect((await problemOf(none)).code).toBe('poll_not_found');
    }
    expect((await f.db.polls.get(poll.id))?.state).toBe('open');
  });
});

describe('refusals', () => {
  it.each([
    ['no question', { options: ['a', 'b'], durationS: 60 }, '#/question'],
    ['a blank question', { ...POLL, question: '   ' }, '#/question'],
    ['a question too long', { ...POLL, question: 'q'.repeat(201) }, '#/question'],
    ['a numeric question', { ...POLL, question: 42 }, '#/question'],
    ['no options', { question: 'Q?', durationS: 60 }, '#/options'],
    ['options not a list', { ...POLL, options: 'a,b' }, '#/options'],
    ['one option', { ...POLL, options: ['a'] }, '#/options'],
    ['six options', { ...POLL, options: ['a', 'b', 'c', 'd', 'e', 'f'] }, '#/options'],
    ['an empty option', { ...POLL, options: ['a', ''] }, '#/options/1'],
    ['an option too long', { ...POLL, options: ['a', 'o'.repeat(81)] }, '#/options/1'],
    ['a numeric option', { ...POLL, options: ['a', 2] }, '#/options/1'],
    ['the same option twice', { ...POLL, options: ['a', 'a'] }, '#/options'],
    ['no durationS', { question: 'Q?', options: ['a', 'b'] }, '#/durationS'],
    ['a duration under 15 s', { ...POLL, durationS: 14 }, '#/durationS'],
    ['a duration over 30 min', { ...POLL, durationS: 1801 }, '#/durationS'],
    ['a fractional duration', { ...POLL, durationS: 15.5 }, '#/durationS'],
    ['a duration as a string', { ...POLL, durationS: '60' }, '#/durationS'],
    ['allowConcurrent as a string', { ...POLL, allowConcurrent: 'yes' }, '#/allowConcurrent'],
    ['an unknown field', { ...POLL, state: 'closed' }, '#'],
    ['an array body', [POLL], '#'],
  ])('refuses %s with invalid_body', async (_name, body, at) => {
    await f.seedEvent('final');
    const res = await f.call('POST', '/v1/events/final/polls', await f.staffToken(), body);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('invalid_body');
    expect(problem.errors?.map((e) => e.pointer)).toContain(at);
    expect(await f.db.polls.listByEvent('final')).toEqual([]);
  });

  it('refuses a body that is not JSON, and one over 4 KiB', async () => {
    await f.seedEvent('final');
    const token = await f.staffToken();
    const bad = await f.call('POST', '/v1/events/final/polls', token, '{"question":');
    expect((await problemOf(bad)).code).toBe('invalid_json');
    const big = await f.call('POST', '/v1/events/final/polls', token, {
      ...POLL,
      pad: 'x'.repeat(4096),
    });
    expect(big.status).toBe(413);
    expect((await problemOf(big)).code).toBe('payload_too_large');
  });

  const routes = [
    { method: 'POST', path: '/polls', body: POLL, roles: ['producer'] },
    { method: 'GET', path: '/polls', roles: ['producer', 'moderator', 'sre'] },
    { method: 'GET', path: '/polls/p_x', roles: ['producer', 'moderator', 'sre'] },
    { method: 'POST', path: '/polls/p_x/close', roles: ['producer'] },
    { method: 'POST', path: '/polls/p_x/cancel', roles: ['producer'] },
  ] as const;

  it.each(routes)('$method $path: 401, 403 and 404 as documented', async (route) => {
    await f.seedEvent('final');
    const body = 'body' in route ? route.body : undefined;
    const url = (id: string) => `/v1/events/${id}${route.path}`;
    const expectProblem = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect((await problemOf(res)).code).toBe(code);
    };
    await expectProblem(
      await f.call(route.method, url('final'), undefined, body),
      401,
      'unauthorized',
    );
    await expectProblem(
      await f.call(route.method, url('final'), 'not-a-token', body),
      401,
      'unauthorized',
    );
    for (const role of ['producer', 'moderator', 'sre'] as const) {
      if ((route.roles as readonly string[]).includes(role)) continue;
      const res = await f.call(route.method, url('final'), await f.staffToken(role), body);
      await expectProblem(res, 403, 'forbidden');
    }
    const scoped = await f.staffToken(route.roles[0], 'other');
    await expectProblem(await f.call(route.method, url('final'), scoped, body), 403, 'forbidden');
    const token = await f.staffToken(route.roles[0]);
    await expectProblem(
      await f.call(route.method, url('ghost'), token, body),
      404,
      'event_not_found',
    );
    await expectProblem(
      await f.call(route.method, url('Bad!Id'), token, body),
      404,
      'event_not_found',
    );
    // A token scoped to this very event is accepted.
    const own = await f.call(
      route.method,
      url('final'),
      await f.staffToken(route.roles[0], 'final'),
      body,
    );
    expect([200, 201, 404]).toContain(own.status);
  });

  it('documents every poll route with its problems in /openapi.json', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const open = doc.paths['/v1/events/{id}/polls']?.post?.responses ?? {};
    expect(Object.keys(open).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '503',
    ]);
    expect(doc.paths['/v1/events/{id}/polls']?.get).toBeDefined();
    expect(
      Object.keys(doc.paths['/v1/events/{id}/polls/{pollId}']?.get?.responses ?? {}),
    ).toContain('503');
    expect(doc.paths['/v1/events/{id}/polls/{pollId}/close']?.post?.responses).toHaveProperty(
      '409',
    );
    expect(doc.paths['/v1/events/{id}/polls/{pollId}/cancel']?.post?.responses).toHaveProperty(
      '409',
    );
  });
});
