// The API over Hono's in-process request path: no sockets, no ports. Health, the JWKS, errors,
// request ids (the join: join.test.ts; the pages: web-pages.test.ts).

import { describe, expect, it } from 'vitest';
import type { JSONWebKeySet } from 'jose';
import { ApiError, type EventDirectory, type Problem } from '../src/index.js';
import { join, seededAppSetup } from './app-setup.js';

const setup = seededAppSetup();

describe('health', () => {
  it('answers /healthz with ok', async () => {
    const { app } = await setup();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 503 while not ready and 200 once ready', async () => {
    let ready = false;
    const { app } = await setup({ ready: () => ready });
    expect((await app.request('/readyz')).status).toBe(503);
    ready = true;
    expect((await app.request('/readyz')).status).toBe(200);
  });
});

describe('JWKS', () => {
  it('publishes the public signing key with kid, alg and use, cacheable for 5 minutes', async () => {
    const { app } = await setup();
    const res = await app.request('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const jwks = (await res.json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      kid: 'k1',
      alg: 'ES256',
      use: 'sig',
    });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('errors', () => {
  it('answers unknown routes with a not_found problem', async () => {
    const { app } = await setup();
    const res = await app.request('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as Problem).code).toBe('not_found');
  });

  it('hides unexpected failures behind an opaque internal problem and logs them', async () => {
    const failing: EventDirectory = {
      get: async () => {
        throw new Error('connection refused to db.internal:5432');
      },
    };
    const { app, logged } = await setup({ events: failing });
    const res = await join(app, 'demo');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'internal', status: 500 });
    expect(text).not.toContain('db.internal');
    expect(text).not.toContain('at ');
    expect(logged).toEqual(['request failed']);
  });

  it('sends an ApiError detail as given, without its cause', async () => {
    const { app } = await setup({
      events: {
        get: async () => {
          throw new ApiError('forbidden', 'event is paused', { cause: new Error('secret') });
        },
      },
    });
    const text = await (await join(app, 'demo')).text();
    expect(JSON.parse(text)).toMatchObject({ code: 'forbidden', detail: 'event is paused' });
    expect(text).not.toContain('secret');
  });
});

describe('request ids', () => {
  it('echoes a sane incoming X-Request-Id on success and on error', async () => {
    const { app } = await setup();
    const ok = await app.request('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers.get('x-request-id')).toBe('abc-123');
    const missing = await app.request('/missing', { headers: { 'x-request-id': 'abc-456' } });
    expect(missing.headers.get('x-request-id')).toBe('abc-456');
    expect(((await missing.json()) as Problem).requestId).toBe('abc-456');
  });

  it('replaces a missing, oversized or odd X-Request-Id with a fresh one', async () => {
    const { app } = await setup();
    const ids = new Set<string>();
    for (const incoming of [undefined, 'x'.repeat(129), 'a b', '<script>', 'id;drop']) {
      const headers: Record<string, string> =
        incoming === undefined ? {} : { 'x-request-id': incoming };
      const res = await app.request('/healthz', { headers });
      const id = res.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(5);
  });
});
