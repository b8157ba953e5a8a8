// `PUT /v1/events/{id}/chat-rules` over Hono's in-process request path: the rules every shard
// applies (as seen in the announced stage), their audit rows, and who may change which rule.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from './fixture.js';
import { problemOf } from './responses.js';

let f: Fixture;
beforeAll(async () => {
  f = await createFixture();
});
// The memory log outlives reset(): each test gets an event of its own.
let ev = '';
let tests = 0;
beforeEach(async () => {
  await f.reset();
  ev = `rules-${++tests}`;
});
afterAll(async () => {
  await f?.close();
});

async function audits(eventId: string) {
  return (await f.db.audit.list(eventId)).items;
}

describe('PUT /v1/events/{id}/chat-rules', () => {
  it('changes the rules every shard applies, and audits before and after', async () => {
    await f.seedEvent(ev, 'live', { slowModeS: 10 });
    const seen = f.watchStage(ev);
    const res = await f.call('PUT', `/v1/events/${ev}/chat-rules`, await f.staffToken(), {
      slowModeS: 30,
      entitledOnlyChat: true,
      blockedTerms: ['Spoiler*', '*SCAM*', 'bad word', 'spoiler*'],
      chatCapPerSec: 500,
    });
    expect(res.status).toBe(200);
    const rules = {
      slowModeS: 30,
      entitledOnlyChat: true,
      blockedTerms: ['spoiler*', '*scam*', 'bad word'],
      chatCapPerSec: 500,
    };
    const body = (await res.json()) as { version: number };
    expect(body).toEqual({ rules, version: body.version });
    expect(seen.at(-1)?.rules).toEqual({ access: 'public', ...rules });
    expect(seen.at(-1)?.view).toMatchObject({ slowModeS: 30, entitledOnlyChat: true });
    expect((await audits(ev))[0]).toMatchObject({
      action: 'event.chat_rules',
      details: {
        before: { slowModeS: 10, entitledOnlyChat: false, blockedTerms: [], chatCapPerSec: null },
        after: rules,
      },
    });
    // Absent fields keep their value; null turns slow mode off.
    const off = await f.call(
      'PUT',
      `/v1/events/${ev}/chat-rules`,
      await f.staffToken('moderator'),
      {
        slowModeS: null,
      },
    );
    expect(((await off.json()) as { rules: unknown }).rules).toEqual({ ...rules, slowModeS: null });
    expect((await audits(ev))[0]?.details).toEqual({
      before: { slowModeS: 30 },
      after: { slowModeS: null },
    });
  });

  it('lets producers and SREs set the ingest cap, not moderators; SREs set only the cap', async () => {
    await f.seedEvent(ev);
    const url = `/v1/events/${ev}/chat-rules`;
    const mod = await f.call('PUT', url, await f.staffToken('moderator'), { chatCapPerSec: 50 });
    expect(mod.status).toBe(403);
    expect((await problemOf(mod)).code).toBe('forbidden');
    const sre = await f.call('PUT', url, await f.staffToken('sre'), { chatCapPerSec: 50 });
    expect(sre.status).toBe(200);
    const sreRules = await f.call('PUT', url, await f.staffToken('sre'), { slowModeS: 5 });
    expect(sreRules.status).toBe(403);
    const ok = await f.call('PUT', url, await f.staffToken('moderator'), {
      entitledOnlyChat: true,
    });
    expect(ok.status).toBe(200);
    expect(await f.db.events.get(ev)).toMatchObject({
      chatCapPerSec: 50,
      slowModeS: null,
      entitledOnlyChat: true,
    });
  });

  it.each([
    ['an empty body', {}, '#'],
    ['slow mode under 3 s', { slowModeS: 2 }, '#/slowModeS'],
    ['slow mode over 120 s', { slowModeS: 121 }, '#/slowModeS'],
    ['slow mode as a string', { slowModeS: '10' }, '#/slowModeS'],
    ['entitledOnlyChat as a string', { entitledOnlyChat: 'true' }, '#/entitledOnlyChat'],
    ['blockedTerms not a list', { blockedTerms: 'spam' }, '#/blockedTerms'],
    [
      '201 blocked terms',
      { blockedTerms: Array.from({ length: 201 }, (_, i) => `t${i}`) },
      '#/blockedTerms',
    ],
    ['an empty term', { blockedTerms: [''] }, '#/blockedTerms/0'],
    ['a term too long', { blockedTerms: ['w'.repeat(51)] }, '#/blockedTerms/0'],
    ['a star inside a term', { blockedTerms: ['ok', 'a*b'] }, '#/blockedTerms/1'],
    ['a bare star', { blockedTerms: ['*'] }, '#/blockedTerms/0'],
    ['punctuation in a term', { blockedTerms: ['spam!'] }, '#/blockedTerms/0'],
    ['a zero cap', { chatCapPerSec: 0 }, '#/chatCapPerSec'],
    ['a cap over 100000', { chatCapPerSec: 100_001 }, '#/chatCapPerSec'],
    ['a fractional cap', { chatCapPerSec: 1.5 }, '#/chatCapPerSec'],
    ['an unknown field', { access: 'ticketed' }, '#'],
  ])('refuses %s with invalid_body', async (_name, body, at) => {
    await f.seedEvent(ev);
    const res = await f.call('PUT', `/v1/events/${ev}/chat-rules`, await f.staffToken(), body);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('invalid_body');
    expect(problem.errors?.map((e) => e.pointer)).toContain(at);
    expect((await f.db.events.get(ev))?.version).toBe(2);
  });

  it('refuses a body over 16 KiB', async () => {
    await f.seedEvent(ev);
    const res = await f.call('PUT', `/v1/events/${ev}/chat-rules`, await f.staffToken(), {
      blockedTerms: Array.from({ length: 400 }, () => 'w'.repeat(50)),
    });
    expect(res.status).toBe(413);
  });
});
