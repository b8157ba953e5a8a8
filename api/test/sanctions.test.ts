// The sanction routes over Hono's in-process request path: who may call them, what they refuse,
// what they store and announce, and the 503 while the shared store is unreachable.

import {
  MemorySanctionStore,
  RedisSanctionStore,
  decodeSanctionNotice,
  type SanctionNotice,
  type SanctionStore,
} from '@fanfare/fanout';
import { freePort } from '@fanfare/testkit';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Moderation, createApp, type StaffRole } from '../src/index.js';
import { createFixture, subjects, type Fixture } from './fixture.js';
import { problemOf } from './responses.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
});
beforeEach(async () => {
  await fx.reset();
  await fx.seedEvent('demo', 'live');
  await fx.seedEvent('other', 'live');
});
afterAll(() => fx.close());

async function setup(store: SanctionStore = new MemorySanctionStore()) {
  const { issuer, bus } = fx;
  const notices: SanctionNotice[] = [];
  bus.subscribe(subjects.sanctions('demo'), (data) => notices.push(decodeSanctionNotice(data)!));
  const app = createApp({
    ...fx.deps,
    moderation: new Moderation({ store, bus, subjects }),
    gatewayUrl: () => 'ws://gateway.test/ws',
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const staff = async (role: StaffRole = 'moderator', evt?: string) =>
    (await issuer.issueStaffToken({ sub: `${role}-1`, role, name: role, ...(evt ? { evt } : {}) }))
      .token;
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { app, issuer, store, notices, staff, call };
}

describe('POST /v1/events/{id}/sanctions', () => {
  it('bans a user: stores it, announces it, and lists it', async () => {
    const s = await setup();
    const token = await s.staff();
    const res = await s.call('POST', '/v1/events/demo/sanctions', token, {
      userId: 'troll',
      kind: 'ban',
      reason: 'spam links',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { sanction: { until: null; by: string }; version: number };
    expect(body.sanction).toMatchObject({
      userId: 'troll',
      kind: 'ban',
      until: null,
      by: 'moderator-1',
    });
    expect(s.notices).toEqual([
      { version: body.version, userId: 'troll', sanction: body.sanction },
    ]);
    const list = await s.call('GET', '/v1/events/demo/sanctions', token);
    expect(await list.json()).toEqual({ version: body.version, sanctions: [body.sanction] });
  });

  it('times a user out for durationS', async () => {
    const s = await setup();
    const before = Date.now();
    const res = await s.call('POST', '/v1/events/demo/sanctions', await s.staff('producer'), {
      userId: 'loud',
      kind: 'timeout',
      durationS: 600,
    });
    expect(res.status).toBe(201);
    const { sanction } = (await res.json()) as { sanction: { until: number } };
    expect(sanction.until).toBeGreaterThanOrEqual(before + 600_000);
    expect(sanction.until).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it.each([
    ['no userId', { kind: 'ban' }, '#/userId'],
    ['an empty userId', { userId: '', kind: 'ban' }, '#/userId'],
    ['a userId too long', { userId: 'u'.repeat(129), kind: 'ban' }, '#/userId'],
    ['an unknown kind', { userId: 'u', kind: 'mute' }, '#/kind'],
    ['a timeout without durationS', { userId: 'u', kind: 'timeout' }, '#/durationS'],
    [
      'a duration over two weeks',
      { userId: 'u', kind: 'timeout', durationS: 1_209_601 },
      '#/durationS',
    ],
    ['a zero duration', { userId: 'u', kind: 'timeout', durationS: 0 }, '#/durationS'],
    ['a fractional duration', { userId: 'u', kind: 'timeout', durationS: 1.5 }, '#/durationS'],
    ['a reason too long', { userId: 'u', kind: 'ban', reason: 'r'.repeat(501) }, '#/reason'],
    ['a string duration', { userId: 'u', kind: 'timeout', durationS: '60' }, '#/durationS'],
  ])('refuses %s with invalid_body naming the field', async (_name, body, pointer) => {
    const s = await setup();
    const res = await s.call('POST', '/v1/events/demo/sanctions', await s.staff(), body);
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('invalid_body');
    expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
    expect(s.notices).toEqual([]);
  });

  it('refuses a body that is not JSON, or not an object', async () => {
    const s = await setup();
    const token = await s.staff();
    const broken = await s.call('POST', '/v1/events/demo/sanctions', token, '{"userId":');
    expect((await problemOf(broken)).code).toBe('invalid_json');
    const array = await s.call('POST', '/v1/events/demo/sanctions', token, '[]');
    expect((await problemOf(array)).code).toBe('invalid_body');
  });

  it('refuses a body over 4 KiB with payload_too_large', async () => {
    const s = await setup();
    const res = await s.call('POST', '/v1/events/demo/sanctions', await s.staff(), {
      userId: 'u',
      kind: 'ban',
      reason: 'x'.repeat(5000),
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe('payload_too_large');
  });

  it('answers event_not_found for an unknown or malformed event', async () => {
    const s = await setup();
    const token = await s.staff();
    for (const id of ['nope', 'Bad.Id']) {
      const res = await s.call('POST', `/v1/events/${id}/sanctions`, token, {
        userId: 'u',
        kind: 'ban',
      });
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('event_not_found');
    }
  });
});

describe('who may call the sanction routes', () => {
  it('wants a staff token: none, garbage and fan tokens get 401', async () => {
    const s = await setup();
    const fan = await s.issuer.issueFanToken({ sub: 'f', evt: 'demo', role: 'fan', name: 'F' });
    for (const token of [undefined, 'not-a-jwt', fan.token]) {
      const res = await s.call('POST', '/v1/events/demo/sanctions', token, {
        userId: 'u',
        kind: 'ban',
      });
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(s.notices).toEqual([]);
  });

  it('refuses a token scoped to another event, for every route', async () => {
    const s = await setup();
    const scoped = await s.staff('moderator', 'other');
    const attempts = [
      s.call('POST', '/v1/events/demo/sanctions', scoped, { userId: 'u', kind: 'ban' }),
      s.call('GET', '/v1/events/demo/sanctions', scoped),
      s.call('DELETE', '/v1/events/demo/sanctions/u', scoped),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('forbidden');
    }
    const own = await s.call('POST', '/v1/events/other/sanctions', scoped, {
      userId: 'u',
      kind: 'ban',
    });
    expect(own.status).toBe(201);
  });
});

describe('DELETE /v1/events/{id}/sanctions/{userId}', () => {
  it('lifts a sanction and announces it; lifting nothing answers lifted null', async () => {
    const s = await setup();
    const token = await s.staff();
    await s.call('POST', '/v1/events/demo/sanctions', token, { userId: 'troll', kind: 'ban' });
    const res = await s.call('DELETE', '/v1/events/demo/sanctions/troll', token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { lifted: { userId: string }; version: number };
    expect(body.lifted.userId).toBe('troll');
    expect(s.notices.at(-1)).toEqual({ version: body.version, userId: 'troll', sanction: null });
    const again = await s.call('DELETE', '/v1/events/demo/sanctions/troll', token);
    expect(((await again.json()) as { lifted: null }).lifted).toBeNull();
  });
});

describe('the sanction routes without the shared store', () => {
  it('answer 503 state_unavailable with Retry-After, and announce nothing', async () => {
    const redis = new Redis(await freePort(), '127.0.0.1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined); // the refused connection is the point
    const s = await setup(new RedisSanctionStore(redis, 'nowhere'));
    const token = await s.staff();
    const attempts = [
      s.call('POST', '/v1/events/demo/sanctions', token, { userId: 'u', kind: 'ban' }),
      s.call('GET', '/v1/events/demo/sanctions', token),
      s.call('DELETE', '/v1/events/demo/sanctions/u', token),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await problemOf(res)).code).toBe('state_unavailable');
    }
    expect(s.notices).toEqual([]);
    redis.disconnect();
  });
});

describe('a banned fan rejoining', () => {
  it('is refused with banned when it shows its previous token', async () => {
    const s = await setup();
    const previous = await s.issuer.issueFanToken({
      sub: 'troll',
      evt: 'demo',
      role: 'fan',
      name: 'T',
    });
    await s.call('POST', '/v1/events/demo/sanctions', await s.staff(), {
      userId: 'troll',
      kind: 'ban',
    });
    const res = await s.app.request('/v1/events/demo/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${previous.token}` },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('banned');
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document describing the sanction routes and the bearer scheme', async () => {
    const s = await setup();
    const res = await s.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths['/v1/events/{id}/sanctions'] ?? {}).sort()).toEqual([
      'get',
      'post',
    ]);
    expect(doc.paths['/v1/events/{id}/sanctions/{userId}']).toHaveProperty('delete');
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator does refuse a broken 3.1 document.
    const broken = await new Validator().validate({ openapi: '3.1.0', info: {} });
    expect(broken.valid).toBe(false);
  });
});
