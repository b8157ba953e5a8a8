import { describe, expect, it } from 'vitest';
import { ADMISSION_MAX_RETRY_AFTER_S } from '@fanfare/protocol';
import {
  Admission,
  DEFAULT_ADMISSION,
  TICKET_ADMISSION_COST,
  admissionFromProfile,
} from './admission.js';

describe('Admission', () => {
  it('admits the burst at once, then refuses with a Retry-After of at least a second', () => {
    const admission = new Admission({ ratePerSecond: 10, burst: 5 }, 0);
    expect(Array.from({ length: 5 }, () => admission.admit(0))).toEqual([0, 0, 0, 0, 0]);
    expect(admission.admit(0)).toBe(1);
    expect(admission.refused).toBe(1);
  });

  it('takes less of the budget for an upgrade with a resume ticket than for one with a token', () => {
    const tokens = new Admission({ ratePerSecond: 10, burst: 7 }, 0);
    const tickets = new Admission({ ratePerSecond: 10, burst: 7 }, 0);
    const admitted = (a: Admission, cost: number) =>
      Array.from({ length: 20 }, () => a.admit(0, cost)).filter((s) => s === 0).length;
    expect(admitted(tokens, 1)).toBe(7);
    // 7 / cost of them, less one for the float sum's rounding.
    const withTickets = admitted(tickets, TICKET_ADMISSION_COST);
    expect(withTickets).toBeGreaterThan(7);
    expect(withTickets).toBeGreaterThanOrEqual(Math.floor(7 / TICKET_ADMISSION_COST) - 1);
    expect(withTickets).toBeLessThanOrEqual(Math.floor(7 / TICKET_ADMISSION_COST));
    expect(TICKET_ADMISSION_COST).toBeLessThan(1);
  });

  it('admits again at the rate as time passes', () => {
    const admission = new Admission({ ratePerSecond: 10, burst: 1 }, 0);
    expect(admission.admit(0)).toBe(0);
    expect(admission.admit(50)).toBeGreaterThan(0);
    expect(admission.admit(100)).toBe(0);
  });

  it('spreads a large refused crowd over the seconds the budget needs for it', () => {
    const admission = new Admission({ ratePerSecond: 100, burst: 100 }, 0);
    const retryAfters: number[] = [];
    for (let i = 0; i < 1_000; i++) retryAfters.push(admission.admit(10));
    const refused = retryAfters.filter((s) => s > 0);
    expect(refused).toHaveLength(900);
    expect(Math.max(...refused)).toBe(9);
    expect(Math.max(...refused)).toBeLessThanOrEqual(ADMISSION_MAX_RETRY_AFTER_S);
    expect(Math.min(...refused)).toBe(1);
  });

  it('admits everything when off', () => {
    const admission = new Admission(undefined, 0);
    for (let i = 0; i < 100_000; i++) expect(admission.admit(0)).toBe(0);
  });
});

describe('admissionFromProfile', () => {
  it("takes the profile's best measured connects/s, a quarter second of it as the burst", () => {
    const profile = { shards: [{ connectsPerSec: 1500 }, { connectsPerSec: 2100.4 }, {}] };
    expect(admissionFromProfile(profile)).toEqual({ ratePerSecond: 2100, burst: 525 });
  });

  it('has no figure from a profile without connect rates (the default applies)', () => {
    expect(admissionFromProfile({ shards: [{ connectsPerSec: null }] })).toBeUndefined();
    expect(admissionFromProfile(null)).toBeUndefined();
    expect(DEFAULT_ADMISSION.ratePerSecond).toBeGreaterThan(0);
  });
});
