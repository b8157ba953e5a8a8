import { describe, expect, it } from 'vitest';
import {
  ADMISSION_CLIENT_JITTER_MIN_MS,
  ADMISSION_MAX_RETRY_AFTER_S,
  admissionRetryAfterS,
  admissionRetryDelayMs,
  parseRetryAfterS,
} from './admission.js';

describe('admissionRetryAfterS', () => {
  it('says 1 s when the budget refills within a second and nothing is queued', () => {
    expect(admissionRetryAfterS(1, 0, () => 0.99)).toBe(1);
  });

  it('spreads a backlog of several seconds over its whole span', () => {
    const seen = new Set(
      [0, 0.2, 0.4, 0.6, 0.8, 0.999].map((r) => admissionRetryAfterS(1, 5, () => r)),
    );
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('never says more than the cap', () => {
    expect(admissionRetryAfterS(60_000, 500, () => 0.999)).toBe(ADMISSION_MAX_RETRY_AFTER_S);
  });
});

describe('admissionRetryDelayMs', () => {
  it('waits Retry-After, then up to as much again', () => {
    expect(admissionRetryDelayMs(3, () => 0)).toBe(3000);
    expect(admissionRetryDelayMs(3, () => 0.5)).toBe(4500);
  });

  it('jitters at least over the minimum window when Retry-After is short', () => {
    expect(admissionRetryDelayMs(1, () => 0.5)).toBe(1000 + ADMISSION_CLIENT_JITTER_MIN_MS / 2);
  });

  it('counts a missing Retry-After as one second', () => {
    expect(admissionRetryDelayMs(undefined, () => 0)).toBe(1000);
  });
});

describe('parseRetryAfterS', () => {
  it('reads delay-seconds and refuses dates and junk', () => {
    expect(parseRetryAfterS(' 7 ')).toBe(7);
    expect(parseRetryAfterS('Wed, 21 Oct 2015 07:28:00 GMT')).toBeUndefined();
    expect(parseRetryAfterS(null)).toBeUndefined();
    expect(parseRetryAfterS('-1')).toBeUndefined();
  });
});
