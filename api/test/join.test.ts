// `POST /v1/events/{id}/join` over Hono's in-process request path: who is admitted (lifecycle,
// tickets, country allow-list, gateway capacity), the fan token and its claims, and every refusal.

import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { GATEWAY_AUDIENCE, NAME_MAX_CHARS } from '@fanfare/protocol';
import { SigningKeys, TokenIssuer, type JoinResponse, type Problem } from '../src/index.js';
import { fetchJwks, join, seededAppSetup, verifyFanToken } from './app-setup.js';
import { GATEWAY } from './fixture.js';

const setup = seededAppSetup();

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
      code: 'invalid_text',
    },
    {
      why: 'name has a bidi override',
      event: 'demo',
      body: JSON.stringify({ name: 'Ada\u202e' }),
      status: 400,
      code: 'invalid_text',
    },
    {
      why: 'name is zero-width spaces only',
      event: 'demo',
      body: JSON.stringify({ name: '\u200b\u200b' }),
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
