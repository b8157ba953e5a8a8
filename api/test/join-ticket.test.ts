// The join's resume ticket: with the shards' ticket keys, the join reply carries a ticket for the
// fan's first connection, bound to the same user, event and role as the token, and never
// outliving the token. The shards' own check (fanout's ResumeTickets) accepts it.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumeTickets } from '@fanfare/fanout';
import { RESUME_TICKET_TTL_S } from '@fanfare/protocol';
import type { JoinResponse } from '../src/index.js';
import { join, seedEvents } from './app-setup.js';
import { createFixture, type Fixture } from './fixture.js';

const key = { id: 'c1', secret: randomBytes(32) };
let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture({ tickets: new ResumeTickets([key], RESUME_TICKET_TTL_S) });
  await seedEvents(fx);
});
afterAll(() => fx.close());

describe('the join reply with ticket keys', () => {
  it('carries a ticket a shard with the same keys admits as this fan, within the token', async () => {
    const res = await join(fx.app, 'demo', JSON.stringify({ name: 'Ada' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as JoinResponse;
    const grant = body.resumeTicket!;
    expect(grant.expiresAt).toBe(fx.clock.now() + RESUME_TICKET_TTL_S * 1000);
    const shard = new ResumeTickets([key], RESUME_TICKET_TTL_S);
    expect(shard.check(grant.ticket, fx.clock.now())).toEqual({
      sub: body.user.id,
      evt: 'demo',
      role: 'fan',
      name: 'Ada',
      ent: [],
      exp: grant.expiresAt / 1000,
      texp: body.expiresAt / 1000,
    });
    // Another cluster's keys refuse it.
    const other = new ResumeTickets([{ id: 'c1', secret: randomBytes(32) }], RESUME_TICKET_TTL_S);
    expect(() => other.check(grant.ticket, fx.clock.now())).toThrow(/MAC/);
  });
});
