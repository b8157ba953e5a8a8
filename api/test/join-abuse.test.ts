// Abuse of the join route: rate limits per client address (from the trusted proxy's header)
// and per event, answered 429 `rate_limited` with Retry-After (the fixture's clock refills them),
// and the maximum session age that bounds a chain of rejoins with a (perhaps stolen) token.

import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { MAX_SESSION_AGE_S, type JoinResponse, type Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture({
    clientAddressHeader: 'x-forwarded-for',
    joinLimits: {
      perAddress: { ratePerSecond: 1, burst: 2 },
      perEvent: { ratePerSecond: 1, burst: 4 },
      budget: undefined,
    },
  });
}, 90_000);
beforeEach(async () => {
  await fx.reset();
  await fx.seedEvent('e1');
  await fx.seedEvent('e2');
});
afterAll(() => fx.close());

const join = (event: string, forwardedFor: string) =>
  fx.app.request(`/v1/events/${event}/join`, {
    method: 'POST',
    headers: { 'x-forwarded-for': forwardedFor },
  });

it('answers 429 rate_limited with Retry-After past the address limit, by the proxy-appended entry', async () => {
  expect((await join('e1', '203.0.113.1')).status).toBe(200);
  // A forged first entry changes nothing: the proxy appended the real address last.
  expect((await join('e1', '6.6.6.6, 203.0.113.1')).status).toBe(200);
  const refused = await join('e1', '7.7.7.7, 203.0.113.1');
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(((await refused.json()) as Problem).code).toBe('rate_limited');
  expect((await join('e1', '203.0.113.2')).status).toBe(200); // another address
  fx.clock.advance(1_000);
  expect((await join('e1', '203.0.113.1')).status).toBe(200);
});

it('answers 429 past the event limit whatever the address, and other events still join', async () => {
  fx.clock.advance(10_000); // both limits full again after the test before
  for (const n of [1, 2, 3, 4]) expect((await join('e1', `198.51.100.${n}`)).status).toBe(200);
  const refused = await join('e1', '198.51.100.5');
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect((await join('e2', '198.51.100.5')).status).toBe(200);
});

it('renews a fan token by rejoining only until the session is MAX_SESSION_AGE_S old', async () => {
  fx.clock.advance(10_000);
  const first = await join('e1', '192.0.2.1');
  let { token, user } = (await first.json()) as JoinResponse;
  const rejoin = () =>
    fx.app.request('/v1/events/e1/join', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '192.0.2.1' },
    });
  // Every 50 minutes, before the 1 h token expires: the same fan, a fresh token each time.
  const stepMs = 50 * 60_000;
  let elapsedMs = 0;
  while (elapsedMs + stepMs <= MAX_SESSION_AGE_S * 1000) {
    fx.clock.advance(stepMs);
    elapsedMs += stepMs;
    const res = await rejoin();
    expect(res.status).toBe(200);
    const body = (await res.json()) as JoinResponse;
    expect(body.user).toEqual(user);
    ({ token, user } = body);
  }
  fx.clock.advance(stepMs);
  const expired = await rejoin();
  expect(expired.status).toBe(401);
  expect(((await expired.json()) as Problem).code).toBe('session_expired');
  // Joining afresh still works: a new identity.
  const fresh = (await (await join('e1', '192.0.2.1')).json()) as JoinResponse;
  expect(fresh.user.id).not.toBe(user.id);
});

it('keeps a ban on a ticket holder across new tickets: identities from the ticketing system stick', async () => {
  fx.clock.advance(10_000);
  const producer = await fx.staffToken('producer');
  const ticket = async () => {
    const res = await fx.call('POST', '/v1/events/e1/tickets', producer, {
      userId: 'order-7',
      name: 'Rowdy',
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };
  const first = await ticket();
  const ban = await fx.call('POST', '/v1/events/e1/sanctions', await fx.staffToken('moderator'), {
    userId: 't:order-7',
    kind: 'ban',
  });
  expect(ban.status).toBe(201);
  // A fresh ticket for the same person is the same user: still banned.
  for (const token of [first, await ticket()]) {
    const res = await fx.call('POST', '/v1/events/e1/join', token, {});
    expect(res.status).toBe(403);
    expect(((await res.json()) as Problem).code).toBe('banned');
  }
});
