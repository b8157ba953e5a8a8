// Events, tickets and the audit log over Hono's in-process request path, on PGlite: the
// lifecycle, compare-and-set edits, stages announced to shards, the role matrix, event scoping and
// bad inputs for every route (API keys: credentials.test.ts).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from './fixture.js';
import { json, problemOf } from './responses.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
});
beforeEach(() => fx.reset());
afterAll(() => fx.close());

type EventBody = { event: { id: string; state: string; version: number; [k: string]: unknown } };

describe('events', () => {
  it('creates a draft, edits it at its version, and walks the lifecycle with stages announced', async () => {
    const producer = await fx.staffToken('producer');
    const created = await fx.call('POST', '/v1/events', producer, {
      id: 'final-2026',
      title: 'The Final',
      startsAt: '2026-12-18T19:00:00Z',
      slowModeS: 5,
      blockedTerms: ['Spoiler*', 'badword'],
    });
    expect(created.status).toBe(201);
    const { event } = await json<EventBody>(created);
    expect(event).toMatchObject({
      id: 'final-2026',
      state: 'draft',
      version: 1,
      startsAt: '2026-12-18T19:00:00.000Z',
      blockedTerms: ['spoiler*', 'badword'],
      access: 'public',
    });
    const stages = fx.watchStage('final-2026');

    const stale = await fx.call('PATCH', '/v1/events/final-2026', producer, {
      version: 7,
      title: 'x',
    });
    expect(stale.status).toBe(409);
    expect((await problemOf(stale)).code).toBe('version_conflict');

    const edited = await fx.call('PATCH', '/v1/events/final-2026', producer, {
      version: 1,
      title: 'The Final (live)',
    });
    expect(edited.status).toBe(200);
    expect((await json<EventBody>(edited)).event).toMatchObject({ version: 2 });

    for (const [state, version] of [
      ['scheduled', 3],
      ['live', 4],
      ['ended', 5],
      ['archived', 6],
    ] as const) {
      const res = await fx.call('POST', '/v1/events/final-2026/state', producer, { state });
      expect(res.status).toBe(200);
      expect((await json<EventBody>(res)).event).toMatchObject({ state, version });
    }
    // Every change reached the bus as a stage, in version order, with the rules for shards.
    expect(stages.map((s) => [s.version, s.view.state])).toEqual([
      [2, 'draft'],
      [3, 'scheduled'],
      [4, 'live'],
      [5, 'ended'],
      [6, 'archived'],
    ]);
    expect(stages[0]!.view.title).toBe('The Final (live)');
    expect(stages[0]!.rules).toMatchObject({ slowModeS: 5, blockedTerms: ['spoiler*', 'badword'] });
    expect(await fx.stages.version('final-2026')).toBe(6);
    // Fans never see the blocked terms.
    expect(JSON.stringify(stages[0]!.view)).not.toContain('spoiler');

    const audit = await fx.db.audit.list('final-2026');
    expect(audit.items.map((e) => e.action).reverse()).toEqual([
      'event.create',
      'event.update',
      'event.transition',
      'event.transition',
      'event.transition',
      'event.transition',
    ]);
    expect(audit.items[0]).toMatchObject({ actorId: 'producer-1', actorRole: 'producer' });
  });

  it('closes the open polls, with their results, when the event ends', async () => {
    const producer = await fx.staffToken('producer');
    await fx.seedEvent('show', 'live');
    const opened = await fx.call('POST', '/v1/events/show/polls', producer, {
      question: 'Best goal?',
      options: ['First', 'Second'],
      durationS: 600,
    });
    const { poll } = await json<{ poll: { id: string } }>(opened);
    await fx.votes.vote('show', poll.id, 'fan-1', 1);
    const ended = await fx.call('POST', '/v1/events/show/state', producer, { state: 'ended' });
    expect(ended.status).toBe(200);
    expect(await fx.db.polls.get(poll.id)).toMatchObject({
      state: 'closed',
      result: [0, 1],
      totalVotes: 1,
    });
  });

  it('refuses illegal lifecycle moves with 409 and changes nothing', async () => {
    const producer = await fx.staffToken('producer');
    await fx.seedEvent('e1', 'live');
    for (const state of ['draft', 'scheduled', 'archived', 'live']) {
      const res = await fx.call('POST', '/v1/events/e1/state', producer, { state });
      expect(res.status).toBe(409);
      expect((await problemOf(res)).code).toBe('illegal_transition');
    }
    expect((await fx.db.events.get('e1'))!.state).toBe('live');
    const stale = await fx.call('POST', '/v1/events/e1/state', producer, {
      state: 'ended',
      version: 1,
    });
    expect((await problemOf(stale)).code).toBe('version_conflict');
  });

  it('lists a page at a time and filters by state', async () => {
    const sre = await fx.staffToken('sre');
    for (const id of ['a', 'b', 'c']) await fx.seedEvent(id, id === 'b' ? 'draft' : 'live');
    const first = await json<{ events: { id: string }[]; next?: string }>(
      await fx.call('GET', '/v1/events?limit=2', sre),
    );
    expect(first.events.map((e) => e.id)).toEqual(['a', 'b']);
    const second = await json<{ events: { id: string }[]; next?: string }>(
      await fx.call('GET', `/v1/events?limit=2&after=${first.next}`, sre),
    );
    expect(second).toEqual({ events: [expect.objectContaining({ id: 'c' })] });
    const live = await json<{ events: { id: string }[] }>(
      await fx.call('GET', '/v1/events?state=live', sre),
    );
    expect(live.events.map((e) => e.id)).toEqual(['a', 'c']);
  });

  const bad: { why: string; body: unknown; code: string; status?: number }[] = [
    { why: 'no title', body: { id: 'x1' }, code: 'invalid_body' },
    { why: 'no id', body: { title: 'X' }, code: 'invalid_body' },
    { why: 'id the gateway refuses', body: { id: 'Bad Id', title: 'X' }, code: 'invalid_body' },
    { why: 'title of the wrong type', body: { id: 'x1', title: 5 }, code: 'invalid_body' },
    { why: 'title too long', body: { id: 'x1', title: 'x'.repeat(201) }, code: 'invalid_body' },
    {
      why: 'slow mode too short',
      body: { id: 'x1', title: 'X', slowModeS: 2 },
      code: 'invalid_body',
    },
    {
      why: 'slow mode too long',
      body: { id: 'x1', title: 'X', slowModeS: 121 },
      code: 'invalid_body',
    },
    {
      why: 'bad country code',
      body: { id: 'x1', title: 'X', countryAllowList: ['fra'] },
      code: 'invalid_body',
    },
    {
      why: 'a * inside a term',
      body: { id: 'x1', title: 'X', blockedTerms: ['a*b'] },
      code: 'invalid_body',
    },
    { why: 'unknown field', body: { id: 'x1', title: 'X', state: 'live' }, code: 'invalid_body' },
    {
      why: 'not a date',
      body: { id: 'x1', title: 'X', startsAt: 'tomorrow' },
      code: 'invalid_body',
    },
    { why: 'malformed JSON', body: '{"id":', code: 'invalid_json' },
    {
      why: 'too large',
      body: { id: 'x1', title: 'X', blockedTerms: Array(3000).fill('word') },
      code: 'payload_too_large',
      status: 413,
    },
  ];
  it.each(bad)('refuses a create with $why', async ({ body, code, status }) => {
    const res = await fx.call('POST', '/v1/events', await fx.staffToken('producer'), body);
    expect(res.status).toBe(status ?? 400);
    expect((await problemOf(res)).code).toBe(code);
    expect((await fx.db.events.list()).items).toEqual([]);
  });

  it('answers a body that is not JSON by its content type with 415', async () => {
    const res = await fx.app.request('/v1/events', {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        authorization: `Bearer ${await fx.staffToken('producer')}`,
      },
      body: 'id=x1&title=X',
    });
    expect(res.status).toBe(415);
    expect((await problemOf(res)).code).toBe('unsupported_media_type');
  });

  it('refuses a duplicate id, and edits or moves of unknown or malformed events', async () => {
    const producer = await fx.staffToken('producer');
    await fx.seedEvent('dup', 'draft');
    const dup = await fx.call('POST', '/v1/events', producer, { id: 'dup', title: 'X' });
    expect(dup.status).toBe(409);
    expect((await problemOf(dup)).code).toBe('event_exists');
    for (const id of ['ghost', 'BAD!']) {
      for (const [method, path, body] of [
        ['GET', `/v1/events/${id}`, undefined],
        ['PATCH', `/v1/events/${id}`, { version: 1, title: 'x' }],
        ['POST', `/v1/events/${id}/state`, { state: 'live' }],
      ] as const) {
        const res = await fx.call(method, path, producer, body);
        expect(res.status).toBe(404);
        expect((await problemOf(res)).code).toBe('event_not_found');
      }
    }
    const noVersion = await fx.call('PATCH', '/v1/events/dup', producer, { title: 'x' });
    expect((await problemOf(noVersion)).code).toBe('invalid_body');
    const badState = await fx.call('POST', '/v1/events/dup/state', producer, { state: 'paused' });
    expect((await problemOf(badState)).code).toBe('invalid_body');
  });
});

describe('roles and event scope', () => {
  // [role, may create/edit/move events, may read events]
  const matrix = [
    ['producer', true, true],
    ['moderator', false, true],
    ['sre', false, true],
  ] as const;

  it.each(matrix)('%s: writes %s, reads %s', async (role, writes, reads) => {
    await fx.seedEvent('ev', 'draft');
    const token = await fx.staffToken(role);
    const create = await fx.call('POST', '/v1/events', token, { id: 'new', title: 'N' });
    expect(create.status).toBe(writes ? 201 : 403);
    const move = await fx.call('POST', '/v1/events/ev/state', token, { state: 'live' });
    expect(move.status).toBe(writes ? 200 : 403);
    expect((await fx.call('GET', '/v1/events/ev', token)).status).toBe(reads ? 200 : 403);
  });

  it('a credential scoped to one event cannot read or change another, nor list or create', async () => {
    await fx.seedEvent('mine', 'live');
    await fx.seedEvent('theirs', 'live');
    const scoped = await fx.staffToken('producer', 'mine');
    expect((await fx.call('GET', '/v1/events/mine', scoped)).status).toBe(200);
    const requests = [
      ['GET', '/v1/events/theirs', undefined],
      ['PATCH', '/v1/events/theirs', { version: 1, title: 'pwned' }],
      ['POST', '/v1/events/theirs/state', { state: 'ended' }],
      ['POST', '/v1/events/theirs/sanctions', { userId: 'u', kind: 'ban' }],
      ['POST', '/v1/events/theirs/tickets', { userId: 'u', name: 'U' }],
      ['GET', '/v1/events/theirs/audit', undefined],
      ['GET', '/v1/events', undefined],
      ['POST', '/v1/events', { id: 'another', title: 'A' }],
    ] as const;
    for (const [method, path, body] of requests) {
      const res = await fx.call(method, path, scoped, body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    expect(await fx.db.events.get('theirs')).toMatchObject({ title: 'Event theirs', version: 2 });
  });

  it('answers 401 without a credential, with a fan token, or with a garbage one', async () => {
    await fx.seedEvent('ev', 'live');
    const fan = await fx.issuer.issueFanToken({ sub: 'f', evt: 'ev', role: 'fan', name: 'F' });
    for (const token of [undefined, fan.token, 'garbage', 'ffk_' + 'x'.repeat(43)]) {
      const res = await fx.call('GET', '/v1/events/ev', token);
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('unauthorized');
    }
  });
});

describe('tickets', () => {
  it('mints a fan token with the ticketed entitlement that joins a ticketed event', async () => {
    await fx.seedEvent('vip', 'live', { access: 'ticketed' });
    const producer = await fx.staffToken('producer');
    const res = await fx.call('POST', '/v1/events/vip/tickets', producer, {
      userId: 'order-981',
      name: 'Ann',
    });
    expect(res.status).toBe(201);
    const ticket = await json<{ token: string; user: { id: string } }>(res);
    expect(ticket.user).toEqual({ id: 't:order-981', name: 'Ann', role: 'fan' });
    const claims = await fx.issuer.verifyFanToken(ticket.token);
    expect(claims).toMatchObject({ sub: 't:order-981', evt: 'vip', ent: ['ticketed'] });
    const joined = await fx.call('POST', '/v1/events/vip/join', ticket.token, {});
    expect(joined.status).toBe(200);
    const anonymous = await fx.call('POST', '/v1/events/vip/join', undefined, {});
    expect((await problemOf(anonymous)).code).toBe('not_entitled');
  });

  it('refuses moderators, bad bodies and unknown events', async () => {
    await fx.seedEvent('vip', 'live');
    const moderator = await fx.staffToken('moderator');
    expect(
      (await fx.call('POST', '/v1/events/vip/tickets', moderator, { userId: 'u', name: 'U' }))
        .status,
    ).toBe(403);
    const producer = await fx.staffToken('producer');
    for (const body of [
      {},
      { userId: 'u' },
      { userId: 'has space', name: 'U' },
      { userId: 'u', name: 'U', entitlements: ['vip'] },
      { userId: 'u', name: 'x'.repeat(41) },
    ]) {
      expect((await fx.call('POST', '/v1/events/vip/tickets', producer, body)).status).toBe(400);
    }
    const ghost = await fx.call('POST', '/v1/events/ghost/tickets', producer, {
      userId: 'u',
      name: 'U',
    });
    expect((await problemOf(ghost)).code).toBe('event_not_found');
  });
});

describe('audit', () => {
  it('pages an event’s entries newest first, for producers and moderators only', async () => {
    await fx.seedEvent('ev', 'live');
    const moderator = await fx.staffToken('moderator');
    for (const userId of ['u1', 'u2', 'u3']) {
      await fx.call('POST', '/v1/events/ev/sanctions', moderator, {
        userId,
        kind: 'timeout',
        durationS: 60,
        reason: `spam ${userId}`,
      });
    }
    const page = await json<{ entries: { target: string; reason: string }[]; next?: number }>(
      await fx.call('GET', '/v1/events/ev/audit?limit=2', moderator),
    );
    expect(page.entries.map((e) => e.target)).toEqual(['u3', 'u2']);
    expect(page.entries[0]!.reason).toBe('spam u3');
    const older = await json<{ entries: { target: string }[] }>(
      await fx.call('GET', `/v1/events/ev/audit?limit=2&beforeId=${page.next}`, moderator),
    );
    expect(older.entries.map((e) => e.target)).toEqual(['u1']);
    expect((await fx.call('GET', '/v1/events/ev/audit', await fx.staffToken('sre'))).status).toBe(
      403,
    );
    expect((await fx.call('GET', '/v1/events/ev/audit?limit=0', moderator)).status).toBe(400);
  });
});
