// Join rate limits at the HTTP edge: per client address (from the trusted proxy's header) and
// per event, answered 429 `rate_limited` with Retry-After; the fixture's clock refills them.

import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture({
    clientAddressHeader: 'x-forwarded-for',
    joinLimits: {
      perAddress: { ratePerSecond: 1, burst: 2 },
      perEvent: { ratePerSecond: 1, burst: 4 },
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
