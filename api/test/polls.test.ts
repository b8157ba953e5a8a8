// The poll routes and PollService over Hono's in-process request path, PGlite and the memory
// vote store: who may call them, what they refuse, what they persist, audit and show fans in the
// stage (the close, by hand and at the deadline: poll-closing.test.ts).

import { MemoryVoteStore, StateUnavailableError, type VoteStore } from '@fanfare/fanout';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
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
    expect(await f.votes.vote('final', poll.id, 'fan-1', 2)).toEqual({
      status: 'accepted',
      option: 2,
    });
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
      open: async (eventId, pollId, options) => {
        if (++arrived === 2) release();
        await bothThere;
        return store.open(eventId, pollId, options);
      },
      vote: (...args) => store.vote(...args),
      tally: (...args) => store.tally(...args),
      close: (...args) => store.close(...args),
      discard: (...args) => store.discard(...args),
    };
    const polls = pollService(barrier);
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
    const polls = pollService(down);
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

describe('cancelling a poll', () => {
  it('settles it without a result, shows it cancelled and audits it', async () => {
    await f.seedEvent('final');
    const seen = f.watchStage('final');
    const poll = await openPoll('final');
    await f.votes.vote('final', poll.id, 'a', 0);
    const token = await f.staffToken();
    const res = await f.call('POST', `/v1/events/final/polls/${poll.id}/cancel`, token);
    expect(res.status).toBe(200);
    const cancelled = ((await res.json()) as { poll: PollJson }).poll;
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.result).toBeUndefined();
    expect(await f.db.polls.get(poll.id)).toMatchObject({ state: 'cancelled', result: null });
    expect(seen.at(-1)?.view.polls).toEqual([expect.objectContaining({ state: 'cancelled' })]);
    expect(await f.votes.vote('final', poll.id, 'b', 0)).toEqual({ status: 'poll_closed' });
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
    await f.votes.vote('final', first.id, 'a', 1);
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
