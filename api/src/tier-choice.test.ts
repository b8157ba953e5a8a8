import { describe, expect, it } from 'vitest';
import { hasSeatPriority, planTier, seatLimit } from './tier-choice.js';

describe('seatLimit', () => {
  it('keeps a tenth of the seats (rounded down) for priority viewers', () => {
    expect(seatLimit(100, false)).toBe(90);
    expect(seatLimit(100, true)).toBe(100);
    expect(seatLimit(10, false)).toBe(9);
    expect(seatLimit(9, false)).toBe(9);
    expect(seatLimit(1, false)).toBe(1);
  });
});

describe('hasSeatPriority', () => {
  it('is given to staff and ticket holders, not to other fans', () => {
    expect(hasSeatPriority('fan', [])).toBe(false);
    expect(hasSeatPriority('fan', ['ticketed'])).toBe(true);
    expect(hasSeatPriority('moderator', [])).toBe(true);
  });
});

describe('planTier', () => {
  const base = { tierOn: true, budget: 10, asked: true, priority: false };
  it('claims a seat when the tier is on, the event has seats and the viewer asked', () => {
    expect(planTier(base)).toEqual({ claim: true, limit: 9 });
    expect(planTier({ ...base, priority: true })).toEqual({ claim: true, limit: 10 });
  });
  it('answers LL-HLS, saying why, otherwise', () => {
    expect(planTier({ ...base, tierOn: false })).toEqual({ claim: false, reason: 'tier-off' });
    expect(planTier({ ...base, budget: 0 })).toEqual({ claim: false, reason: 'event-off' });
    expect(planTier({ ...base, asked: false })).toEqual({ claim: false, reason: 'not-asked' });
  });
});
