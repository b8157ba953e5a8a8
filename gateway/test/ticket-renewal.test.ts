// Resume tickets renewed over the open socket (ticket-renewals.ts): a fan connected past half a
// ticket's lifetime gets a `ticket` frame, and resumes with it once the welcome's ticket has
// expired; a fan banned after its renewal cannot use the renewed ticket. Time is a ManualClock.

import { createSubjects, encodeSanctionNotice } from '@fanfare/fanout';
import { ManualClock } from '@fanfare/fanout/testing';
import { connectFan, expectRefused } from '@fanfare/testkit';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

const TTL_S = 10; // RESUME_TICKET_TTL_S's lowest value
const HALF_MS = (TTL_S / 2) * 1000;

describe('resume tickets renewed over the open socket', () => {
  let g: TestGateway | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });
  const start = async () => {
    const clock = new ManualClock(Math.ceil(Date.now() / 1000) * 1000);
    const keys = [{ id: 'k1', secret: randomBytes(32) }];
    g = await startGateway({ resumeTickets: { keys, ttlS: TTL_S } }, clock);
    return { g, clock };
  };

  it('renews at half the lifetime, and the renewed ticket resumes after the first expired', async () => {
    const { g, clock } = await start();
    const { fan, welcome } = await g.join({ sub: 'ann', name: 'Ann' });
    const first = welcome.resumeTicket!;
    expect(first.expiresAt).toBe(clock.now() + TTL_S * 1000);

    clock.advance(HALF_MS);
    const renewed = await fan.next('ticket');
    expect(renewed.expiresAt).toBe(first.expiresAt + HALF_MS);
    expect(renewed.ticket).not.toBe(first.ticket);

    clock.advance(HALF_MS); // the welcome's ticket expires; a second renewal comes
    const again = await fan.next('ticket');
    expect(again.expiresAt).toBe(renewed.expiresAt + HALF_MS);
    const metrics = await g.gateway.metrics.registry.metrics();
    expect(metrics).toMatch(/^fanfare_gateway_ticket_renewals_total\{[^}]*\} 2$/m);
    fan.socket.terminate();
    await fan.closed;

    const stale = await expectRefused(`${g.url}?ticket=${first.ticket}`);
    expect([stale.status, stale.reason]).toEqual([401, 'ticket_expired']);
    const back = await connectFan(`${g.url}?ticket=${renewed.ticket}&${await g.since(0)}`);
    const resumed = await back.next('welcome');
    expect(resumed.user).toEqual({ id: 'ann', name: 'Ann', role: 'fan' });
    expect(resumed.snapshot.continuity).toBe('resumed');
    back.socket.terminate();
  });

  it('refuses a renewed ticket once the fan is banned', async () => {
    const { g, clock } = await start();
    const { fan } = await g.join({ sub: 'troll' });
    clock.advance(HALF_MS);
    const renewed = await fan.next('ticket');
    const at = clock.now();
    const sanction = { userId: 'troll', kind: 'ban' as const, until: null, by: 'mod', at };
    const version = await g.sanctions.impose('demo', sanction);
    g.bus.publish(
      createSubjects('fanfare').sanctions('demo'),
      encodeSanctionNotice({ version, userId: 'troll', sanction }),
    );
    await fan.closed;
    const r = await expectRefused(`${g.url}?ticket=${renewed.ticket}`);
    expect([r.status, r.reason]).toEqual([403, 'banned']);
  });
});
