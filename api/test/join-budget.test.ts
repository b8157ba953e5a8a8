// Admission control on the join route: past the process's budget a join is answered 503
// `overloaded` with a Retry-After before any work (no body parsed, no event looked up), and the
// refusal is counted in fanfare_api_joins_total{outcome="overloaded"}.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture({
    joinLimits: {
      perAddress: undefined,
      perEvent: undefined,
      budget: { ratePerSecond: 1, burst: 2 },
    },
  });
  await fx.seedEvent('e1');
}, 90_000);
afterAll(() => fx.close());

const join = (event: string, body = '{}') =>
  fx.app.request(`/v1/events/${event}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

it('answers 503 overloaded with Retry-After past the budget, before reading the body or the event', async () => {
  expect((await join('e1')).status).toBe(200);
  expect((await join('e1')).status).toBe(200);
  // A body that is not JSON, for an event that does not exist: neither is looked at.
  const refused = await join('no-such-event', 'not json');
  expect(refused.status).toBe(503);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(((await refused.json()) as Problem).code).toBe('overloaded');
  fx.clock.advance(1_000);
  expect((await join('e1')).status).toBe(200);
});

it('counts refused joins by outcome', async () => {
  const text = await fx.deps.metrics!.registry.metrics();
  expect(text).toMatch(/fanfare_api_joins_total\{outcome="overloaded"\} 1/);
});
