// The chat history route over Hono's in-process request path and PGlite: pages in both
// directions, deleted messages left out, query validation and who may read.

import type { ChatArchiveRow } from '@fanfare/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from './fixture.js';
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

const T0 = Date.parse('2026-11-24T12:00:00Z');

function row(seq: number, eventId = 'final'): ChatArchiveRow {
  return {
    eventId,
    seq,
    msgId: `m${seq}`,
    authorId: 'u1',
    authorName: 'Robin',
    authorRole: 'fan',
    text: `message ${seq}`,
    ts: new Date(T0 + seq * 1000),
  };
}

interface HistoryPage {
  messages: { id: string; seq: number }[];
  next?: { afterSeq?: number; beforeSeq?: number };
}

async function seed() {
  await f.seedEvent('final');
  await f.db.chat.appendBatch(Array.from({ length: 8 }, (_, i) => row(i + 1)));
  await f.db.chat.appendBatch([row(1, 'other')]);
  await f.db.chat.markDeleted('final', 'm3', 'mod-1', new Date(T0 + 60_000));
}

async function read(query: string, role: 'producer' | 'moderator' | 'sre' = 'moderator') {
  const res = await f.call('GET', `/v1/events/final/chat${query}`, await f.staffToken(role));
  expect(res.status).toBe(200);
  return (await res.json()) as HistoryPage;
}

describe('GET /v1/events/{id}/chat', () => {
  it('answers messages in seq order with author and time, leaving deleted ones out', async () => {
    await seed();
    const page = await read('', 'sre');
    expect(page.messages.map((m) => m.seq)).toEqual([1, 2, 4, 5, 6, 7, 8]);
    expect(page.messages[0]).toEqual({
      id: 'm1',
      seq: 1,
      ts: T0 + 1000,
      author: { id: 'u1', name: 'Robin', role: 'fan' },
      text: 'message 1',
    });
    expect(page.next).toBeUndefined();
  });

  it('pages forward with next, and backward from beforeSeq', async () => {
    await seed();
    const first = await read('?limit=3', 'producer');
    expect(first.messages.map((m) => m.seq)).toEqual([1, 2, 4]);
    expect(first.next).toEqual({ afterSeq: 4 });
    const second = await read(`?afterSeq=${first.next?.afterSeq}&limit=3`);
    expect(second.messages.map((m) => m.seq)).toEqual([5, 6, 7]);
    const newest = await read('?beforeSeq=9&limit=2');
    expect(newest.messages.map((m) => m.seq)).toEqual([7, 8]);
    expect(newest.next).toEqual({ beforeSeq: 7 });
    const range = await read('?afterSeq=1&beforeSeq=6');
    expect(range.messages.map((m) => m.seq)).toEqual([2, 4, 5]);
  });

  it('answers an empty page for an event with no archived chat', async () => {
    await f.seedEvent('final');
    expect(await read('')).toEqual({ messages: [] });
  });

  it.each([
    ['a zero limit', '?limit=0', '#/limit'],
    ['a limit over the maximum', '?limit=501', '#/limit'],
    ['a fractional limit', '?limit=2.5', '#/limit'],
    ['a limit that is not a number', '?limit=ten', '#/limit'],
    ['a negative afterSeq', '?afterSeq=-1', '#/afterSeq'],
    ['a beforeSeq that is not a number', '?beforeSeq=x', '#/beforeSeq'],
  ])('refuses %s with invalid_body', async (_name, query, at) => {
    await f.seedEvent('final');
    const res = await f.call('GET', `/v1/events/final/chat${query}`, await f.staffToken());
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('invalid_body');
    expect(problem.errors?.map((e) => e.pointer)).toContain(at);
  });

  it('answers 401, 403 and 404 as documented', async () => {
    await f.seedEvent('final');
    const expectProblem = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect((await problemOf(res)).code).toBe(code);
    };
    await expectProblem(await f.call('GET', '/v1/events/final/chat'), 401, 'unauthorized');
    const scoped = await f.staffToken('moderator', 'other');
    await expectProblem(await f.call('GET', '/v1/events/final/chat', scoped), 403, 'forbidden');
    const token = await f.staffToken();
    await expectProblem(
      await f.call('GET', '/v1/events/ghost/chat', token),
      404,
      'event_not_found',
    );
    await expectProblem(await f.call('GET', '/v1/events/No!/chat', token), 404, 'event_not_found');
    const own = await f.call('GET', '/v1/events/final/chat', await f.staffToken('sre', 'final'));
    expect(own.status).toBe(200);
  });

  it('is documented in /openapi.json', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    const params = doc.paths['/v1/events/{id}/chat']?.get?.parameters?.map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['id', 'afterSeq', 'beforeSeq', 'limit']));
  });
});
