import type { Logger } from '@fanfare/fanout';
// The API over Hono's in-process request path: no sockets, no ports.

import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { GATEWAY_AUDIENCE, NAME_MAX_CHARS, REACTION_EMOJI } from '@fanfare/protocol';
import { afterAll, beforeAll } from 'vitest';
import {
  ApiError,
  SigningKeys,
  TokenIssuer,
  createApp,
  type AppDeps,
  type EventDirectory,
  type JoinResponse,
  type Problem,
} from '../src/index.js';
import { GATEWAY, createFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
  await fx.seedEvent('demo', 'live');
  await fx.seedEvent('other', 'live');
  await fx.seedEvent('vip', 'live', { access: 'ticketed' });
  await fx.seedEvent('draft-one', 'draft');
  await fx.seedEvent('over', 'ended');
  await fx.seedEvent('geo', 'live', { countryAllowList: ['FR', 'BE'] });
});
afterAll(() => fx.close());

interface Setup {
  keys: SigningKeys;
  app: ReturnType<typeof createApp>;
  logged: string[];
}

async function setup(overrides: Partial<AppDeps> = {}): Promise<Setup> {
  const keys = await SigningKeys.generate('k1');
  const logged: string[] = [];
  const logger: Logger = {
    info: () => undefined,
    warn: () => undefined,
    error: (message) => logged.push(message),
  };
  const issuer = new TokenIssuer({ keys, issuer: 'fanfare-test' });
  const app = createApp({
    ...fx.deps,
    keys,
    issuer,
    gatewayUrl: () => GATEWAY,
    logger,
    ...overrides,
  });
  return { keys, app, logged };
}

function join(
  app: Setup['app'],
  eventId: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  return app.request(`/v1/events/${eventId}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
}

async function verifyFanToken(token: string, jwks: JSONWebKeySet) {
  return jwtVerify(token, createLocalJWKSet(jwks), {
    algorithms: ['ES256'],
    issuer: 'fanfare-test',
    audience: GATEWAY_AUDIENCE,
  });
}

async function fetchJwks(app: Setup['app']): Promise<JSONWebKeySet> {
  return (await (await app.request('/.well-known/jwks.json')).json()) as JSONWebKeySet;
}

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

describe('POST /v1/events/:id/join', () => {
  it('returns a fan token that verifies against the JWKS with the claims the gateway needs', async () => {
    const { app } = await setup();
    const res = await join(app, 'demo', JSON.stringify({ name: '  Ada  ' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as JoinResponse;
    expect(body).toEqual({
      token: expect.any(String),
      gatewayUrl: GATEWAY,
      eventId: 'demo',
      user: { id: expect.stringMatching(/^anon-/), name: 'Ada', role: 'fan' },
      expiresAt: expect.any(Number),
    });
    const { payload, protectedHeader } = await verifyFanToken(body.token, await fetchJwks(app));
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    expect(payload).toMatchObject({
      iss: 'fanfare-test',
      aud: GATEWAY_AUDIENCE,
      sub: body.user.id,
      evt: 'demo',
      role: 'fan',
      name: 'Ada',
    });
    expect(body.expiresAt).toBe((payload.exp ?? 0) * 1000);
  });

  it('keeps the identity of a fan who rejoins with its previous token', async () => {
    const { app } = await setup();
    const first = (await (await join(app, 'demo', '{"name":"Ann"}')).json()) as JoinResponse;
    const again = await join(app, 'demo', '{}', { authorization: `Bearer ${first.token}` });
    expect(again.status).toBe(200);
    const body = (await again.json()) as JoinResponse;
    expect(body.user).toEqual(first.user);
    expect(body.token).not.toBe(first.token);
  });

  it('refuses a rejoin token that is not ours, or is for another event, with 401', async () => {
    const { app, keys } = await setup();
    const other = (await (await join(app, 'other', '{}')).json()) as JoinResponse;
    for (const token of [other.token, 'not.a.token', `${other.token.slice(0, -4)}AAAA`]) {
      const res = await join(app, 'demo', '{}', { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(((await res.json()) as Problem).code).toBe('unauthorized');
    }
    const foreign = await new TokenIssuer({ keys: await SigningKeys.generate('k9') }).issueFanToken(
      {
        sub: 'x',
        evt: 'demo',
        role: 'fan',
        name: 'X',
      },
    );
    const res = await join(app, 'demo', '{}', { authorization: `Bearer ${foreign.token}` });
    expect(res.status).toBe(401);
    expect(keys.kids()).toEqual(['k1']);
  });

  it('admits a ticket holder to a ticketed event, keeping identity and entitlement', async () => {
    const { app, keys } = await setup();
    const issuer = new TokenIssuer({ keys, issuer: 'fanfare-test' });
    const ticket = await issuer.issueFanToken({
      sub: 't:42',
      evt: 'vip',
      role: 'fan',
      name: 'Ticket Holder',
      ent: ['ticketed'],
    });
    const res = await join(app, 'vip', '{}', { authorization: `Bearer ${ticket.token}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as JoinResponse;
    expect(body.user).toEqual({ id: 't:42', name: 'Ticket Holder', role: 'fan' });
    const { payload } = await verifyFanToken(body.token, keys.jwks());
    expect(payload.ent).toEqual(['ticketed']);
    // A plain fan token of the same event (no ticket) is still refused.
    const plain = await issuer.issueFanToken({ sub: 'a-1', evt: 'vip', role: 'fan', name: 'A' });
    const refused = await join(app, 'vip', '{}', { authorization: `Bearer ${plain.token}` });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Problem).code).toBe('not_entitled');
  });

  it('checks the country allow-list against the configured CDN header', async () => {
    const { app } = await setup({ countryHeader: 'cf-ipcountry' });
    const from = async (country?: string) =>
      (await join(app, 'geo', '{}', country ? { 'cf-ipcountry': country } : {})).status;
    expect(await from('FR')).toBe(200);
    expect(await from('be')).toBe(200);
    expect(await from('US')).toBe(403);
    expect(await from()).toBe(403);
    // Events without a list ignore the header.
    expect((await join(app, 'demo', '{}', { 'cf-ipcountry': 'US' })).status).toBe(200);
  });

  it('answers 503 unavailable with Retry-After when no gateway can take the fan', async () => {
    const { app } = await setup({ gatewayUrl: async () => undefined });
    const res = await join(app, 'demo', '{"name":"Ann"}');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as Problem).code).toBe('unavailable');
  });

  it('names a fan who gives no name, whether the body is empty or has no name', async () => {
    const { app } = await setup();
    for (const body of [undefined, '', '{}']) {
      const res = await join(app, 'demo', body);
      expect(res.status).toBe(200);
      expect(((await res.json()) as JoinResponse).user.name).toMatch(/^fan-[0-9a-f]{4}$/);
    }
  });

  it('gives each join a distinct user id', async () => {
    const { app } = await setup();
    const a = (await (await join(app, 'demo')).json()) as JoinResponse;
    const b = (await (await join(app, 'demo')).json()) as JoinResponse;
    expect(a.user.id).not.toBe(b.user.id);
  });

  it('counts name length in characters, so a name of emoji may be as long as one of letters', async () => {
    const { app } = await setup();
    const name = '🔥'.repeat(NAME_MAX_CHARS);
    const res = await join(app, 'demo', JSON.stringify({ name }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as JoinResponse).user.name).toBe(name);
  });

  it('keeps old tokens valid across a key rotation and signs new ones with the new key', async () => {
    const { app, keys } = await setup();
    const before = ((await (await join(app, 'demo')).json()) as JoinResponse).token;
    const newKid = await keys.rotate();
    const jwks = await fetchJwks(app);
    expect(jwks.keys.map((k) => k.kid)).toEqual(['k1', newKid]);
    await expect(verifyFanToken(before, jwks)).resolves.toBeDefined();
    const after = ((await (await join(app, 'demo')).json()) as JoinResponse).token;
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    await expect(verifyFanToken(after, jwks)).resolves.toBeDefined();

    keys.retire('k1');
    await expect(verifyFanToken(before, await fetchJwks(app))).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
  });

  const refusals: Array<{
    why: string;
    event: string;
    body?: string;
    status: number;
    code: string;
  }> = [
    { why: 'body is not JSON', event: 'demo', body: '{"name":', status: 400, code: 'invalid_json' },
    {
      why: 'body is not an object',
      event: 'demo',
      body: '["Ada"]',
      status: 400,
      code: 'invalid_body',
    },
    {
      why: 'name is not a string',
      event: 'demo',
      body: '{"name":42}',
      status: 400,
      code: 'invalid_body',
    },
    {
      why: 'name is null',
      event: 'demo',
      body: '{"name":null}',
      status: 400,
      code: 'invalid_body',
    },
    {
      why: 'name is too long',
      event: 'demo',
      body: JSON.stringify({ name: 'a'.repeat(NAME_MAX_CHARS + 1) }),
      status: 400,
      code: 'invalid_body',
    },
    {
      why: 'name is blank',
      event: 'demo',
      body: '{"name":"   "}',
      status: 400,
      code: 'invalid_body',
    },
    {
      why: 'name has a newline',
      event: 'demo',
      body: JSON.stringify({ name: 'Ada\nAdmin: hi' }),
      status: 400,
      code: 'invalid_body',
    },
    {
      why: 'name has a bidi override',
      event: 'demo',
      body: JSON.stringify({ name: 'Ada\u202e' }),
      status: 400,
      code: 'invalid_body',
    },
    { why: 'event is unknown', event: 'nope', status: 404, code: 'event_not_found' },
    { why: 'event id is malformed', event: 'BAD!', status: 404, code: 'event_not_found' },
    { why: 'event is ticketed', event: 'vip', status: 403, code: 'not_entitled' },
    { why: 'event is a draft', event: 'draft-one', status: 404, code: 'event_not_found' },
    { why: 'event has ended', event: 'over', status: 410, code: 'event_ended' },
    {
      why: 'event admits some countries and no country header is configured',
      event: 'geo',
      status: 403,
      code: 'country_not_allowed',
    },
    {
      why: 'body is too large',
      event: 'demo',
      body: JSON.stringify({ name: 'x'.repeat(5000) }),
      status: 413,
      code: 'payload_too_large',
    },
  ];

  it.each(refusals)(
    'refuses when the $why: $status $code',
    async ({ event, body, status, code }) => {
      const { app } = await setup();
      const res = await join(app, event, body, { 'x-request-id': 'req-1' });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('x-request-id')).toBe('req-1');
      const problem = (await res.json()) as Problem;
      expect(problem).toMatchObject({
        status,
        code,
        requestId: 'req-1',
        type: `urn:fanfare:problem:${code}`,
      });
      expect(problem.title).toEqual(expect.any(String));
      expect(problem.detail).toEqual(expect.any(String));
    },
  );

  it('lists each invalid field as a JSON Pointer with a reason', async () => {
    const { app } = await setup();
    const res = await join(app, 'demo', '{"name":42}');
    expect(((await res.json()) as Problem).errors).toEqual([
      { pointer: '#/name', detail: 'must be a string' },
    ]);
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

describe('demo page', () => {
  it('serves a self-contained page with a reaction button for every emoji, under a strict CSP', async () => {
    const { app } = await setup();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    const html = await res.text();
    expect(html).toContain('/v1/events/');
    expect(html).toContain('fanfare.v1');
    for (const emoji of REACTION_EMOJI) expect(html).toContain(emoji);
    expect(html).not.toMatch(/\b(src|href)=["']?https?:/);
    expect(html).not.toContain('innerHTML');
  });

  it('pins exactly the inline script it serves in the CSP, and that script parses', async () => {
    const { app } = await setup();
    const res = await app.request('/');
    const script = /<script>([\s\S]*)<\/script>/.exec(await res.text())?.[1] ?? '';
    const hash = createHash('sha256').update(script, 'utf8').digest('base64');
    expect(res.headers.get('content-security-policy')).toContain(`script-src 'sha256-${hash}'`);
    // Compiles without running: a syntax slip in the template would otherwise ship silently.
    expect(() => new Function(script)).not.toThrow();
  });
});
