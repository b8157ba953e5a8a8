// Hostile HTTP input over Hono's in-process request path, on PGlite: bodies that are not sent
// as JSON (415 on every JSON route, the join route included), NUL and over-long ids in paths
// (each answers its documented 4xx, never 500), and the join route's optional body.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from './fixture.js';
import { problemOf } from './responses.js';

let fx: Fixture;
// PGlite takes seconds to start, more on a loaded machine.
beforeAll(async () => {
  fx = await createFixture();
}, 90_000);
beforeEach(async () => {
  await fx.reset();
  await fx.seedEvent('e1');
});
afterAll(() => fx.close());

type Role = 'producer' | 'moderator' | 'sre';
/** Every route that takes a JSON body, with a body it would accept and a role allowed to send it. */
const JSON_ROUTES: { method: string; path: string; role: Role; body: unknown }[] = [
  { method: 'POST', path: '/v1/events', role: 'producer', body: { id: 'e2', title: 'Two' } },
  { method: 'PATCH', path: '/v1/events/e1', role: 'producer', body: { version: 1, title: 'x' } },
  {
    method: 'POST',
    path: '/v1/events/e1/state',
    role: 'producer',
    body: { from: 'live', to: 'ended' },
  },
  { method: 'PUT', path: '/v1/events/e1/chat-rules', role: 'moderator', body: { slowModeS: 1 } },
  { method: 'PUT', path: '/v1/events/e1/pin', role: 'moderator', body: { text: 'hi' } },
  {
    method: 'POST',
    path: '/v1/events/e1/polls',
    role: 'producer',
    body: { question: 'Q', options: ['a', 'b'], durationS: 30 },
  },
  {
    method: 'POST',
    path: '/v1/events/e1/sanctions',
    role: 'moderator',
    body: { userId: 'u1', kind: 'ban' },
  },
  { method: 'POST', path: '/v1/events/e1/tickets', role: 'producer', body: { userId: 'u1' } },
  {
    method: 'POST',
    path: '/v1/credentials',
    role: 'sre',
    body: { name: 'tool', role: 'producer' },
  },
  { method: 'DELETE', path: '/v1/events/e1/messages/m1', role: 'moderator', body: { reason: 'x' } },
  { method: 'POST', path: '/v1/events/e1/join', role: 'producer', body: { name: 'Robin' } },
];

/** The same JSON sent with no Content-Type, as text/plain, and a form sent as a form. */
const NOT_JSON: {
  why: string;
  headers: Record<string, string>;
  encode: (json: string) => BodyInit;
}[] = [
  { why: 'no content type', headers: {}, encode: (json) => new TextEncoder().encode(json) },
  { why: 'text/plain', headers: { 'content-type': 'text/plain' }, encode: (json) => json },
  {
    why: 'a form',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    encode: () => 'name=Robin&title=x',
  },
];

describe('bodies that are not sent as JSON', () => {
  const cases = JSON_ROUTES.flatMap((route) => NOT_JSON.map((kind) => ({ ...route, ...kind })));
  it.each(cases)('$method $path with $why answers 415', async (c) => {
    const token = c.path.endsWith('/join') ? undefined : await fx.staffToken(c.role);
    const res = await fx.app.request(c.path, {
      method: c.method,
      headers: { ...c.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: c.encode(JSON.stringify(c.body)),
    });
    expect(res.status).toBe(415);
    expect((await problemOf(res)).code).toBe('unsupported_media_type');
  });

  it('still takes a bare join with no body and no content type, and JSON with a charset', async () => {
    const bare = await fx.app.request('/v1/events/e1/join', { method: 'POST' });
    expect(bare.status).toBe(200);
    const charset = await fx.app.request('/v1/events/e1/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ name: 'Robin' }),
    });
    expect(charset.status).toBe(200);
  });
});

describe('malformed ids in paths', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: { method: string; path: string; role: Role; status: number; code: string }[] = [
    {
      method: 'GET',
      path: '/v1/events/e1/polls/%00',
      role: 'producer',
      status: 404,
      code: 'poll_not_found',
    },
    {
      method: 'POST',
      path: `/v1/events/e1/polls/${long(200)}/close`,
      role: 'producer',
      status: 404,
      code: 'poll_not_found',
    },
    {
      method: 'DELETE',
      path: '/v1/events/e1/messages/%00',
      role: 'moderator',
      status: 404,
      code: 'message_not_found',
    },
    {
      method: 'DELETE',
      path: `/v1/events/e1/messages/${long(129)}`,
      role: 'moderator',
      status: 404,
      code: 'message_not_found',
    },
    {
      method: 'DELETE',
      path: '/v1/credentials/%00',
      role: 'sre',
      status: 404,
      code: 'credential_not_found',
    },
    {
      method: 'DELETE',
      path: `/v1/credentials/${long(101)}`,
      role: 'sre',
      status: 404,
      code: 'credential_not_found',
    },
    {
      method: 'DELETE',
      path: `/v1/events/e1/sanctions/${long(129)}`,
      role: 'moderator',
      status: 400,
      code: 'invalid_path',
    },
    {
      method: 'DELETE',
      path: '/v1/events/e1/sanctions/a%00b',
      role: 'moderator',
      status: 400,
      code: 'invalid_path',
    },
    {
      method: 'GET',
      path: '/v1/events/e%00',
      role: 'producer',
      status: 404,
      code: 'event_not_found',
    },
  ];
  it.each(cases)('$method $path answers $status $code', async (c) => {
    const res = await fx.call(c.method, c.path, await fx.staffToken(c.role));
    expect(res.status).toBe(c.status);
    expect((await problemOf(res)).code).toBe(c.code);
  });
});
