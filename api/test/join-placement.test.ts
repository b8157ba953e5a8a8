// The join's placement: when the picker chose the shard, the fan token and the join's resume
// ticket carry `plc` (the placing replica and the assignment second), which the shard counts on
// admission and reports back (gateway-picker.ts). A shard's own ticket never carries it.

import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumeTickets } from '@fanfare/fanout';
import { RESUME_TICKET_TTL_S } from '@fanfare/protocol';
import type { JoinResponse } from '../src/index.js';
import { join, seedEvents } from './app-setup.js';
import { createFixture, type Fixture } from './fixture.js';

const key = { id: 'c1', secret: randomBytes(32) };
const placement = { r: 'api1', s: 1_795_000_000 };
let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture({
    tickets: new ResumeTickets([key], RESUME_TICKET_TTL_S),
    gatewayUrl: () => ({ url: 'ws://shard-a.test/ws', placement }),
  });
  await seedEvents(fx);
});
afterAll(() => fx.close());

describe('the join of a placed fan', () => {
  it('carries the placement in its token and its ticket, not in a shard’s ticket', async () => {
    const res = await join(fx.app, 'demo', '{}');
    expect(res.status).toBe(200);
    const body = (await res.json()) as JoinResponse;
    expect(body.gatewayUrl).toBe('ws://shard-a.test/ws');
    expect(decodeJwt(body.token).plc).toEqual(placement);
    const shard = new ResumeTickets([key], RESUME_TICKET_TTL_S);
    const claims = shard.check(body.resumeTicket!.ticket, fx.clock.now());
    expect(claims.plc).toEqual(placement);
    // The shard's ticket for the next connection, from these claims: no placement in it.
    const next = shard.issue(claims, claims.texp, fx.clock.now())!;
    expect(shard.check(next.ticket, fx.clock.now()).plc).toBeUndefined();
  });
});
