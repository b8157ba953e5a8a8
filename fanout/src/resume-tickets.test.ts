import { RESUME_TICKET_MAX_CHARS } from '@fanfare/protocol';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ResumeTickets,
  TicketRejectedError,
  ticketKeysSchema,
  type ResumeTicketKey,
  type TicketSubject,
} from './resume-tickets.js';

const key = (id: string): ResumeTicketKey => ({ id, secret: randomBytes(32) });
const k1 = key('k1');
const k2 = key('k2');
const NOW = 1_800_000_000_000;
const claims: TicketSubject & { exp: number } = {
  sub: 'u1',
  evt: 'demo',
  role: 'fan',
  name: 'Ann',
  ent: ['ticketed'],
  exp: NOW / 1000 + 3600,
};

function rejection(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof TicketRejectedError) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('resume tickets', () => {
  const tickets = new ResumeTickets([k1], 300);

  it('gives back the claims it was issued for, with the token expiry it descends from', () => {
    const grant = tickets.issue(claims, claims.exp, NOW)!;
    expect(grant.expiresAt).toBe(NOW + 300_000);
    expect(tickets.check(grant.ticket, NOW + 299_000)).toEqual({
      ...claims,
      exp: NOW / 1000 + 300,
      texp: claims.exp,
    });
  });

  it('carries the token’s country, so a resumed session keeps its QoE label', () => {
    const grant = tickets.issue({ ...claims, cty: 'DE' }, claims.exp, NOW)!;
    expect(tickets.check(grant.ticket, NOW).cty).toBe('DE');
  });

  it('refuses a ticket at and after its expiry as ticket_expired', () => {
    const { ticket } = tickets.issue(claims, claims.exp, NOW)!;
    expect(rejection(() => tickets.check(ticket, NOW + 300_000))).toBe('ticket_expired');
  });

  it('never outlives the token: expires with it, and issues nothing once it is past', () => {
    const texp = NOW / 1000 + 60;
    expect(tickets.issue(claims, texp, NOW)!.expiresAt).toBe(texp * 1000);
    expect(tickets.issue(claims, NOW / 1000, NOW)).toBeUndefined();
  });

  it('refuses any changed byte of the claims, the key id or the MAC as ticket_invalid', () => {
    const { ticket } = tickets.issue(claims, claims.exp, NOW)!;
    const [format, kid, body, mac] = ticket.split('.') as [string, string, string, string];
    const promoted = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body, 'base64url').toString()),
        role: 'producer',
      }),
    ).toString('base64url');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const forged of [
      [format, kid, promoted, mac],
      [format, kid, body, flip(mac)],
      [format, 'k2', body, mac],
      ['rt0', kid, body, mac],
      [format, kid, body],
      [format, kid, body, mac.slice(0, 20)],
    ]) {
      expect(rejection(() => tickets.check(forged.join('.'), NOW))).toBe('ticket_invalid');
    }
    expect(rejection(() => tickets.check('x'.repeat(RESUME_TICKET_MAX_CHARS + 1), NOW))).toBe(
      'ticket_invalid',
    );
  });

  it('refuses a ticket signed under a key the shard does not hold', () => {
    const { ticket } = new ResumeTickets([k2], 300).issue(claims, claims.exp, NOW)!;
    expect(rejection(() => tickets.check(ticket, NOW))).toBe('ticket_invalid');
    // same id, other secret: a shard of another cluster
    const { ticket: alien } = new ResumeTickets([key('k1')], 300).issue(claims, claims.exp, NOW)!;
    expect(rejection(() => tickets.check(alien, NOW))).toBe('ticket_invalid');
  });

  it('rotates: the new key signs, tickets under the old one still pass until it is dropped', () => {
    const old = tickets.issue(claims, claims.exp, NOW)!.ticket;
    const rotated = new ResumeTickets([k2, k1], 300);
    expect(rotated.check(old, NOW).sub).toBe('u1');
    const fresh = rotated.issue(claims, claims.exp, NOW)!.ticket;
    expect(fresh.split('.')[1]).toBe('k2');
    expect(rejection(() => new ResumeTickets([k2], 300).check(old, NOW))).toBe('ticket_invalid');
  });

  it('refuses to start without keys, with a short secret or a bad key id', () => {
    expect(() => new ResumeTickets([], 300)).toThrow(TypeError);
    expect(() => new ResumeTickets([{ id: 'k', secret: randomBytes(16) }], 300)).toThrow(/32/);
    expect(() => new ResumeTickets([{ id: 'a.b', secret: randomBytes(32) }], 300)).toThrow(/id/);
  });

  it('refuses the same keys for the same reasons when given them and when reading RESUME_TICKET_KEYS', () => {
    const secret = (bytes: number) => randomBytes(bytes).toString('base64url');
    const cases = ['a.b', '', 'x'.repeat(17)].map((id) => `${id}:${secret(32)}`);
    cases.push(`k:${secret(31)}`, `a.b:${secret(8)}`, `ok_-1:${secret(32)}`);
    for (const raw of cases) {
      const parsed = ticketKeysSchema().safeParse(raw);
      const fromSchema = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
      const [id = '', encoded = ''] = raw.split(':');
      const key = { id, secret: Buffer.from(encoded, 'base64url') };
      let thrown = '';
      try {
        new ResumeTickets([key], 300);
      } catch (err) {
        thrown = (err as Error).message;
      }
      expect(fromSchema.length > 0, raw).toBe(thrown !== '');
      for (const problem of fromSchema) expect(thrown, raw).toContain(problem);
    }
  });
});
