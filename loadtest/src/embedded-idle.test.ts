import { describe, expect, it } from 'vitest';
import { IDLE_PLAN, settledReading } from './embedded-idle.js';

describe('settledReading', () => {
  it('takes the last reading once the last four lie within 2 % of their largest', () => {
    expect(settledReading([400_000, 310_000, 305_000, 309_000, 306_000], IDLE_PLAN)).toBe(306_000);
  });

  it('waits while they spread wider or are too few', () => {
    expect(settledReading([278_000, 278_000, 278_000, 244_000], IDLE_PLAN)).toBeUndefined();
    expect(settledReading([300_000, 300_000, 300_000], IDLE_PLAN)).toBeUndefined();
  });
});
