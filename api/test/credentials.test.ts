// API keys over Hono's in-process request path, on PGlite: only SREs issue them; each is shown
// once, stored hashed, scoped to a role and an event, audited under its id and revocable.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from './fixture.js';
import { json, problemOf } from './responses.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
});
beforeEach(() => fx.reset());
afterAll(() => fx.close());

describe('API keys', () => {
  it('an SRE issues a key shown once, stored hashed, usable at once, and revocable', async () => {
    await fx.seedEvent('ev', 'live');
    const sre = await fx.staffToken('sre');
    const res = await fx.call('POST', '/v1/credentials', sre, {
      name: 'console',
      role: 'producer',
      eventId: 'ev',
    });
    expect(res.status).toBe(201);
    const { credential, key } = await json<{ credential: { id: string }; key: string }>(res);
    expect(key).toMatch(/^ffk_/);
    // Stored as a SHA-256 only (db's contract checks the column); the key itself verifies.
    expect(await fx.db.credentials.verify(key)).toMatchObject({ id: credential.id });

    // The key acts as a producer of its one event, and is audited under the credential's id.
    const moved = await fx.call('POST', '/v1/events/ev/state', key, { state: 'ended' });
    expect(moved.status).toBe(200);
    expect((await fx.db.audit.list('ev')).items[0]).toMatchObject({
      actorId: credential.id,
      action: 'event.transition',
    });
    await fx.seedEvent('other', 'live');
    expect((await fx.call('POST', '/v1/events/other/state', key, { state: 'ended' })).status).toBe(
      403,
    );

    const listed = await json<{ credentials: unknown[] }>(
      await fx.call('GET', '/v1/credentials', sre),
    );
    expect(JSON.stringify(listed)).not.toContain(key);
    expect((await fx.call('DELETE', `/v1/credentials/${credential.id}`, sre)).status).toBe(200);
    expect((await fx.call('GET', '/v1/events/ev', key)).status).toBe(401);
    const global = await fx.db.audit.list(null);
    expect(global.items.map((e) => e.action)).toEqual(['credential.revoke', 'credential.create']);
    const auditRes = await json<{ entries: unknown[] }>(await fx.call('GET', '/v1/audit', sre));
    expect(auditRes.entries).toHaveLength(2);
  });

  it('GET /v1/me tells any staff credential its own role and scope, and refuses the rest', async () => {
    await fx.seedEvent('ev', 'live');
    const sre = await fx.staffToken('sre');
    for (const role of ['producer', 'moderator', 'sre'] as const) {
      const res = await fx.call('GET', '/v1/me', await fx.staffToken(role));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await json(res)).toMatchObject({ role, eventId: null, via: 'token' });
    }
    // An event-scoped key may ask who it is, though the route names no event.
    const made = await json<{ credential: { id: string }; key: string }>(
      await fx.call('POST', '/v1/credentials', sre, {
        name: 'mod',
        role: 'moderator',
        eventId: 'ev',
      }),
    );
    expect(await json(await fx.call('GET', '/v1/me', made.key))).toEqual({
      id: made.credential.id,
      role: 'moderator',
      name: 'mod',
      eventId: 'ev',
      via: 'api_key',
    });
    expect((await problemOf(await fx.call('GET', '/v1/me', undefined))).code).toBe('unauthorized');
    expect((await problemOf(await fx.call('GET', '/v1/me', 'ffk_nope'))).code).toBe('unauthorized');
  });

  it('only SREs manage credentials, and bad bodies are refused', async () => {
    const sre = await fx.staffToken('sre');
    for (const role of ['producer', 'moderator'] as const) {
      const token = await fx.staffToken(role);
      const res = await fx.call('POST', '/v1/credentials', token, { name: 'x', role: 'sre' });
      expect(res.status).toBe(403);
      expect((await fx.call('GET', '/v1/credentials', token)).status).toBe(403);
    }
    for (const body of [
      {},
      { name: 'x' },
      { name: 'x', role: 'fan' },
      { name: '', role: 'sre' },
      { name: 'x'.repeat(101), role: 'sre' },
      { name: 'x', role: 'sre', eventId: 'BAD!' },
    ]) {
      const res = await fx.call('POST', '/v1/credentials', sre, body);
      expect(res.status).toBe(400);
    }
    const unknownEvent = await fx.call('POST', '/v1/credentials', sre, {
      name: 'x',
      role: 'moderator',
      eventId: 'ghost',
    });
    expect((await problemOf(unknownEvent)).code).toBe('event_not_found');
    const unknown = await fx.call('DELETE', '/v1/credentials/nope', sre);
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).code).toBe('credential_not_found');
  });
});
