// The moderation routes for chat over Hono's in-process request path: deleting a message (a
// record in the event log, a tombstone in the archive, an audit row), pinning and unpinning, each
// as shards see them in the announced stage (the chat rules: chat-rules.test.ts).

import type { Database } from '@fanfare/db';
import { decodeLogRecord, encodeLogRecord, type EventLog } from '@fanfare/fanout';
import type { Author } from '@fanfare/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
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
  ev = `final-${++tests}`;
});
afterAll(async () => {
  await f?.close();
});

const FAN: Author = { id: 'u_fan', name: 'Robin', role: 'fan' };
let nextMsg = 0;

/** Appends a chat message to the event's log as a gateway would; resolves with its id and seq. */
async function say(eventId: string, text: string) {
  const id = `m_${++nextMsg}`;
  const { seq } = await f.log.append(
    eventId,
    encodeLogRecord({ kind: 'chat', id, author: FAN, text }),
    id,
  );
  return { id, seq };
}

/** Archives a message straight into the database (as the archiver would have). */
async function archived(eventId: string, seq: number, text = `archived ${seq}`) {
  const id = `a_${++nextMsg}`;
  await f.db.chat.appendBatch([
    {
      eventId,
      seq,
      msgId: id,
      authorId: FAN.id,
      authorName: FAN.name,
      authorRole: FAN.role,
      text,
      ts: new Date(f.clock.now()),
    },
  ]);
  return { id, seq };
}

async function records(eventId: string) {
  return (await f.log.readLast(eventId, 100)).entries.map((e) => ({
    msgId: e.msgId,
    ...decodeLogRecord(e),
  }));
}

async function audits(eventId: string) {
  return (await f.db.audit.list(eventId)).items;
}

describe('DELETE /v1/events/{id}/messages/{msgId}', () => {
  it('appends one delete record for a recent message, audits it, and repeats harmlessly', async () => {
    await f.seedEvent(ev);
    await say(ev, 'hello');
    const msg = await say(ev, 'buy cheap followers');
    const token = await f.staffToken('moderator');
    const res = await f.call('DELETE', `/v1/events/${ev}/messages/${msg.id}?reason=spam`, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: msg.id, seq: msg.seq });
    expect((await records(ev)).at(-1)).toEqual({
      msgId: `del:${msg.id}`,
      kind: 'delete',
      id: msg.id,
      target: msg.seq,
      by: 'moderator-1',
    });
    const [entry] = await audits(ev);
    expect(entry).toMatchObject({
      action: 'chat.delete',
      actorId: 'moderator-1',
      actorRole: 'moderator',
      target: msg.id,
      reason: 'spam',
      details: { seq: msg.seq },
    });
    const again = await f.call('DELETE', `/v1/events/${ev}/messages/${msg.id}`, token);
    expect(again.status).toBe(200);
    expect(await records(ev)).toHaveLength(3);
    expect(await audits(ev)).toHaveLength(1);
  });

  it('tombstones an archived message too, taking the reason from a JSON body', async () => {
    await f.seedEvent(ev);
    const msg = await archived(ev, 7);
    const keep = await archived(ev, 8);
    const res = await f.call(
      'DELETE',
      `/v1/events/${ev}/messages/${msg.id}`,
      await f.staffToken(),
      {
        reason: 'abuse',
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: msg.id, seq: 7 });
    expect((await f.db.chat.find(ev, msg.id))?.deletedBy).toBe('producer-1');
    expect((await f.db.chat.page(ev)).items.map((m) => m.msgId)).toEqual([keep.id]);
    expect((await records(ev)).at(-1)).toMatchObject({
      kind: 'delete',
      id: msg.id,
      target: 7,
    });
    expect((await audits(ev))[0]).toMatchObject({ reason: 'abuse', actorRole: 'producer' });
    // Already tombstoned: nothing more is appended or audited.
    await f.call('DELETE', `/v1/events/${ev}/messages/${msg.id}`, await f.staffToken());
    expect(await records(ev)).toHaveLength(1);
    expect(await audits(ev)).toHaveLength(1);
  });

  it('unpins a pinned message it deletes', async () => {
    await f.seedEvent(ev);
    const seen = f.watchStage(ev);
    const msg = await say(ev, 'great goal');
    const token = await f.staffToken('moderator');
    await f.call('PUT', `/v1/events/${ev}/pin`, token, { msgId: msg.id });
    expect(seen.at(-1)?.view.pinned?.msgId).toBe(msg.id);
    await f.call('DELETE', `/v1/events/${ev}/messages/${msg.id}`, token);
    expect(seen.at(-1)?.view.pinned).toBeNull();
    expect((await f.db.events.get(ev))?.pinnedMessage).toBeNull();
  });

  it('answers message_not_found for an unknown message or one of another event', async () => {
    await f.seedEvent(ev);
    await f.seedEvent('other');
    const elsewhere = await say('other', 'hi');
    const token = await f.staffToken();
    for (const msgId of ['m_nope', elsewhere.id, 'x'.repeat(300)]) {
      const res = await f.call('DELETE', `/v1/events/${ev}/messages/${msgId}`, token);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('message_not_found');
    }
    expect(await records(ev)).toEqual([]);
  });

  it('refuses a reason too long, a body that is not JSON and unknown body fields', async () => {
    await f.seedEvent(ev);
    const msg = await say(ev, 'hi');
    const token = await f.staffToken();
    const url = `/v1/events/${ev}/messages/${msg.id}`;
    const longQuery = await f.call('DELETE', `${url}?reason=${'r'.repeat(501)}`, token);
    expect((await problemOf(longQuery)).errors?.[0]?.pointer).toBe('#/reason');
    const longBody = await f.call('DELETE', url, token, { reason: 'r'.repeat(501) });
    expect((await problemOf(longBody)).code).toBe('invalid_body');
    const numeric = await f.call('DELETE', url, token, { reason: 5 });
    expect((await problemOf(numeric)).code).toBe('invalid_body');
    const extra = await f.call('DELETE', url, token, { why: 'x' });
    expect((await problemOf(extra)).code).toBe('invalid_body');
    const broken = await f.call('DELETE', url, token, '{"reason":');
    expect((await problemOf(broken)).code).toBe('invalid_json');
    expect(await records(ev)).toHaveLength(1);
  });

  it('answers 503 unavailable with Retry-After while the event log is unreachable', async () => {
    await f.seedEvent(ev);
    const msg = await say(ev, 'hi');
    const down = (op: string) => () => Promise.reject(new Error(`nats: ${op} timed out`));
    const readable: EventLog = {
      append: down('append'),
      follow: (id, handler) => f.log.follow(id, handler),
      readLast: (id, n) => f.log.readLast(id, n),
      readAfter: (id, after, n) => f.log.readAfter(id, after, n),
      close: async () => undefined,
    };
    const unreadable: EventLog = { ...readable, readLast: down('read') };
    for (const log of [readable, unreadable]) {
      const app = createApp({ ...f.deps, log });
      const res = await app.request(`/v1/events/${ev}/messages/${msg.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${await f.staffToken()}` },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await problemOf(res)).code).toBe('unavailable');
    }
    expect(await audits(ev)).toEqual([]);
  });
});

describe('PUT and DELETE /v1/events/{id}/pin', () => {
  it('pins a chat message with its text and author, then unpins it', async () => {
    await f.seedEvent(ev);
    const seen = f.watchStage(ev);
    const msg = await say(ev, 'What a save!');
    const token = await f.staffToken('moderator');
    const res = await f.call('PUT', `/v1/events/${ev}/pin`, token, { msgId: msg.id });
    expect(res.status).toBe(200);
    const pinnedAt = new Date(f.clock.now()).toISOString();
    const body = (await res.json()) as { version: number };
    expect(body).toEqual({
      pinned: {
        msgId: msg.id,
        text: 'What a save!',
        authorName: 'Robin',
        pinnedBy: 'moderator-1',
        pinnedAt,
      },
      version: body.version,
    });
    expect(seen.at(-1)?.version).toBe(body.version);
    expect(seen.at(-1)?.view.pinned).toEqual({
      msgId: msg.id,
      text: 'What a save!',
      authorName: 'Robin',
      pinnedAt: f.clock.now(),
    });
    expect((await audits(ev))[0]).toMatchObject({ action: 'chat.pin', target: msg.id });

    const unpin = await f.call('DELETE', `/v1/events/${ev}/pin`, token);
    expect(unpin.status).toBe(200);
    expect(((await unpin.json()) as { unpinned: { msgId: string } }).unpinned.msgId).toBe(msg.id);
    expect(seen.at(-1)?.view.pinned).toBeNull();
    expect((await audits(ev))[0]).toMatchObject({ action: 'chat.unpin', target: msg.id });
    // Unpinning when nothing is pinned succeeds and records nothing.
    const again = await f.call('DELETE', `/v1/events/${ev}/pin`, token);
    expect(((await again.json()) as { unpinned: null }).unpinned).toBeNull();
    expect(await audits(ev)).toHaveLength(2);
  });

  it('pins an archived message, and a producer’s own notice', async () => {
    await f.seedEvent(ev);
    const seen = f.watchStage(ev);
    const msg = await archived(ev, 3, 'from the archive');
    const token = await f.staffToken();
    await f.call('PUT', `/v1/events/${ev}/pin`, token, { msgId: msg.id });
    expect(seen.at(-1)?.view.pinned?.text).toBe('from the archive');
    const res = await f.call('PUT', `/v1/events/${ev}/pin`, token, {
      text: '  Half time: 15 min  ',
    });
    expect(res.status).toBe(200);
    expect(seen.at(-1)?.view.pinned).toEqual({
      text: 'Half time: 15 min',
      pinnedAt: f.clock.now(),
    });
    expect((await audits(ev))[0]).toMatchObject({
      action: 'chat.pin',
      target: null,
      details: { text: 'Half time: 15 min' },
    });
  });

  it('refuses to pin an unknown or deleted message', async () => {
    await f.seedEvent(ev);
    const msg = await say(ev, 'gone soon');
    const token = await f.staffToken();
    await f.call('DELETE', `/v1/events/${ev}/messages/${msg.id}`, token);
    for (const msgId of [msg.id, 'm_nope']) {
      const res = await f.call('PUT', `/v1/events/${ev}/pin`, token, { msgId });
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('message_not_found');
    }
    expect((await f.db.events.get(ev))?.pinnedMessage).toBeNull();
  });

  it.each([
    ['an empty body', {}],
    ['both msgId and text', { msgId: 'm_1', text: 'hi' }],
    ['a blank notice', { text: '   ' }],
    ['a notice too long', { text: 'n'.repeat(501) }],
    ['a numeric msgId', { msgId: 5 }],
    ['an unknown field', { text: 'hi', colour: 'red' }],
  ])('refuses %s with invalid_body', async (_name, body) => {
    await f.seedEvent(ev);
    const res = await f.call('PUT', `/v1/events/${ev}/pin`, await f.staffToken(), body);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('invalid_body');
  });

  it('retries once when the event changes between its read and its write', async () => {
    await f.seedEvent(ev);
    let raced = false;
    const events = new Proxy(f.db.events, {
      get(target, key) {
        if (key === 'update') {
          return async (...args: Parameters<typeof target.update>) => {
            if (!raced) {
              raced = true;
              await target.touch(args[0]);
            }
            return target.update(...args);
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const db = new Proxy(f.db, {
      get: (target, key) =>
        key === 'events' ? events : (Reflect.get(target, key) as Database[keyof Database]),
    });
    const app = createApp({ ...f.deps, db });
    const res = await app.request(`/v1/events/${ev}/pin`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await f.staffToken()}`,
      },
      body: JSON.stringify({ text: 'notice' }),
    });
    expect(res.status).toBe(200);
    expect(raced).toBe(true);
    expect((await f.db.events.get(ev))?.pinnedMessage?.text).toBe('notice');
  });
});

describe('who may moderate chat', () => {
  const routes = [
    { method: 'DELETE', path: '/messages/m_x', body: undefined, roles: ['moderator', 'producer'] },
    { method: 'PUT', path: '/pin', body: { text: 'hi' }, roles: ['moderator', 'producer'] },
    { method: 'DELETE', path: '/pin', body: undefined, roles: ['moderator', 'producer'] },
    {
      method: 'PUT',
      path: '/chat-rules',
      body: { entitledOnlyChat: true },
      roles: ['moderator', 'producer'],
    },
  ] as const;

  it.each(routes)('$method $path: 401, 403 and 404 as documented', async (route) => {
    await f.seedEvent(ev);
    const url = (id: string) => `/v1/events/${id}${route.path}`;
    const expectProblem = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect((await problemOf(res)).code).toBe(code);
    };
    await expectProblem(
      await f.call(route.method, url(ev), undefined, route.body),
      401,
      'unauthorized',
    );
    await expectProblem(
      await f.call(route.method, url(ev), 'garbage', route.body),
      401,
      'unauthorized',
    );
    if (route.path !== '/chat-rules') {
      await expectProblem(
        await f.call(route.method, url(ev), await f.staffToken('sre'), route.body),
        403,
        'forbidden',
      );
    }
    const scoped = await f.staffToken('moderator', 'other');
    await expectProblem(await f.call(route.method, url(ev), scoped, route.body), 403, 'forbidden');
    const token = await f.staffToken('moderator');
    await expectProblem(
      await f.call(route.method, url('ghost'), token, route.body),
      404,
      'event_not_found',
    );
    await expectProblem(
      await f.call(route.method, url('BAD'), token, route.body),
      404,
      'event_not_found',
    );
    const own = await f.call(
      route.method,
      url(ev),
      await f.staffToken('moderator', ev),
      route.body,
    );
    expect([200, 404]).toContain(own.status);
  });

  it('documents the moderation routes and their problems in /openapi.json', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(
      Object.keys(doc.paths['/v1/events/{id}/messages/{msgId}']?.delete?.responses ?? {}),
    ).toEqual(expect.arrayContaining(['200', '401', '403', '404', '503']));
    expect(doc.paths['/v1/events/{id}/pin']?.put?.responses).toHaveProperty('409');
    expect(doc.paths['/v1/events/{id}/pin']?.delete).toBeDefined();
    expect(doc.paths['/v1/events/{id}/chat-rules']?.put?.responses).toHaveProperty('413');
  });
});
