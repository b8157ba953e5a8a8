import { describe, expect, it } from 'vitest';
import {
  ADMISSION_CLIENT_JITTER_MIN_MS,
  ADMISSION_MAX_RETRY_AFTER_S,
  admissionRetryDelayMs,
  parseRetryAfterS,
  scheduleRetry,
} from './admission.js';

describe('scheduleRetry', () => {
  it('says 1 s to the first refused client', () => {
    expect(scheduleRetry({ nextSlotAt: 0 }, 5_000, 100)).toBe(1);
  });

  it('spreads a refused crowd over the seconds the budget needs for it', () => {
    const schedule = { nextSlotAt: 0 };
    const seconds = Array.from({ length: 1_000 }, () => scheduleRetry(schedule, 0, 100));
    expect(seconds.filter((s) => s === 1)).toHaveLength(101);
    expect(seconds.at(-1)).toBe(10);
    // At most one second's budget told each second.
    for (let s = 1; s <= 10; s++)
      expect(seconds.filter((x) => x === s).length).toBeLessThanOrEqual(101);
  });

  it('frees the slots as time passes', () => {
    const schedule = { nextSlotAt: 0 };
    for (let i = 0; i < 500; i++) scheduleRetry(schedule, 0, 100);
    expect(scheduleRetry(schedule, 10_000, 100)).toBe(1);
  });

  it('never says more than the cap', () => {
    const schedule = { nextSlotAt: 0 };
    for (let i = 0; i < 100_000; i++) scheduleRetry(schedule, 0, 100);
    expect(scheduleRetry(schedule, 0, 100)).toBe(ADMISSION_MAX_RETRY_AFTER_S);
  });
});

describe('admissionRetryDelayMs', () => {
  it('waits Retry-After, then up to a quarter of it more', () => {
    expect(admissionRetryDelayMs(20, () => 0)).toBe(20_000);
    expect(admissionRetryDelayMs(20, () => 0.5)).toBe(22_500);
  });

  it('jitters over at least the minimum window when Retry-After is short', () => {
    expect(admissionRetryDelayMs(2, () => 0.5)).toBe(2000 + ADMISSION_CLIENT_JITTER_MIN_MS / 2);
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
