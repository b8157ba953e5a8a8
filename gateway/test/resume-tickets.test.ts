// Resume tickets at the upgrade: a welcome hands one out, `?ticket=` admits the same fan again
// without its token (on this shard or another holding the cluster's key), and expired, tampered,
// foreign or banned tickets are refused with their documented reasons.

import { encodeSanctionNotice, createSubjects } from '@fanfare/fanout';
import { connectFan, expectRefused } from '@fanfare/testkit';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ResumeTickets, type ResumeTicketKey } from '../src/index.js';
import { startGateway, type TestGateway } from './harness.js';

const TTL_S = 300;
const key = (id: string): ResumeTicketKey => ({ id, secret: randomBytes(32) });

describe('resume tickets at the upgrade', () => {
  const started: TestGateway[] = [];
  const start = async (keys: ResumeTicketKey[], shared = {}) => {
    const g = await startGateway({ resumeTickets: { keys, ttlS: TTL_S } }, undefined, {}, shared);
    started.push(g);
    return g;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((g) => g.close()));
  });

  it('hands out a ticket in the welcome that admits the same fan again without its token', async () => {
    const g = await start([key('k1')]);
    const before = Date.now();
    const { welcome } = await g.join({ sub: 'ann', name: 'Ann', extra: { ent: ['ticketed'] } });
    const grant = welcome.resumeTicket!;
    expect(grant.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + TTL_S * 1000);
    expect(grant.expiresAt).toBeLessThanOrEqual(Date.now() + TTL_S * 1000);

    const again = await connectFan(`${g.url}?ticket=${grant.ticket}&${await g.since(0)}`);
    const second = await again.next('welcome');
    expect(second.user).toEqual({ id: 'ann', name: 'Ann', role: 'fan' });
    expect(second.eventId).toBe('demo');
    expect(second.snapshot.continuity).toBe('resumed');
    // and it gets a ticket of its own for the next time
    expect(second.resumeTicket?.ticket).toMatch(/^rt1\.k1\./);
    again.socket.terminate();
  });

  it('never hands out a ticket that outlives the token', async () => {
    const g = await start([key('k1')]);
    const { welcome } = await g.join({ expiresIn: 60 });
    expect(welcome.resumeTicket!.expiresAt).toBeLessThanOrEqual(Date.now() + 61_000);
  });

  it('refuses an expired ticket with 401 ticket_expired', async () => {
    const k1 = key('k1');
    const g = await start([k1]);
    const claims = { sub: 'ann', evt: 'demo', role: 'fan' as const, name: 'Ann', ent: [] };
    const longAgo = Date.now() - (TTL_S + 10) * 1000;
    const { ticket } = new ResumeTickets([k1], TTL_S).issue(
      claims,
      Math.floor(longAgo / 1000) + 3600,
      longAgo,
    )!;
    const r = await expectRefused(`${g.url}?ticket=${ticket}`);
    expect([r.status, r.reason]).toEqual([401, 'ticket_expired']);
  });

  it('refuses a tampered ticket and one from another cluster with 401 ticket_invalid', async () => {
    const g = await start([key('k1')]);
    const { welcome } = await g.join({ sub: 'ann' });
    const [format, kid, body, mac] = welcome.resumeTicket!.ticket.split('.') as string[];
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as object;
    const moderator = Buffer.from(JSON.stringify({ ...claims, role: 'moderator' })).toString(
      'base64url',
    );
    const tampered = await expectRefused(`${g.url}?ticket=${format}.${kid}.${moderator}.${mac}`);
    expect([tampered.status, tampered.reason]).toEqual([401, 'ticket_invalid']);

    const other = await start([key('k1')]);
    const foreign = await other.join({ sub: 'ann' });
    const r = await expectRefused(`${g.url}?ticket=${foreign.welcome.resumeTicket!.ticket}`);
    expect([r.status, r.reason]).toEqual([401, 'ticket_invalid']);
  });

  it('refuses a banned fan’s ticket with 403 banned', async () => {
    const g = await start([key('k1')]);
    const { fan, welcome } = await g.join({ sub: 'troll' });
    const sanction = {
      userId: 'troll',
      kind: 'ban' as const,
      until: null,
      by: 'mod',
      at: Date.now(),
    };
    const version = await g.sanctions.impose('demo', sanction);
    g.bus.publish(
      createSubjects('fanfare').sanctions('demo'),
      encodeSanctionNotice({ version, userId: 'troll', sanction }),
    );
    await fan.closed;
    const r = await expectRefused(`${g.url}?ticket=${welcome.resumeTicket!.ticket}`);
    expect([r.status, r.reason]).toEqual([403, 'banned']);
  });

  it('is accepted by another shard holding the cluster key, and after a key rotation', async () => {
    const k1 = key('k1');
    const a = await start([k1]);
    const b = await start([key('k2'), k1], { bus: a.bus, log: a.log });
    const { welcome } = await a.join({ sub: 'ann', name: 'Ann' });
    const fan = await connectFan(`${b.url}?ticket=${welcome.resumeTicket!.ticket}`);
    const there = await fan.next('welcome');
    expect(there.user).toEqual({ id: 'ann', name: 'Ann', role: 'fan' });
    // b signs with its newest key; a, which never got it, refuses b's tickets
    expect(there.resumeTicket!.ticket).toMatch(/^rt1\.k2\./);
    const r = await expectRefused(`${a.url}?ticket=${there.resumeTicket!.ticket}`);
    expect(r.reason).toBe('ticket_invalid');
    fan.socket.terminate();
  });

  it('hands out no ticket and refuses one when the shard has no keys', async () => {
    const g = await start([]);
    const { welcome } = await g.join();
    expect(welcome.resumeTicket).toBeUndefined();
    const r = await expectRefused(`${g.url}?ticket=rt1.k1.e30.AAAA`);
    expect([r.status, r.reason]).toEqual([401, 'ticket_invalid']);
  });
});
