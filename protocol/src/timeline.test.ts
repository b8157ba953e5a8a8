import { describe, expect, it } from 'vitest';
import { isNewer, positionAt } from './timeline.js';
import type { Timeline } from './timeline.js';

const base: Timeline = {
  media: 'm',
  position: 10,
  rate: 1,
  paused: false,
  at: 1_000_000,
  version: 3,
};

describe('positionAt', () => {
  it('advances by elapsed server time times the rate while playing', () => {
    expect(positionAt(base, 1_002_500)).toBeCloseTo(12.5, 9);
    expect(positionAt({ ...base, rate: 1.5 }, 1_002_000)).toBeCloseTo(13, 9);
  });

  it('holds the position before `at` (a start scheduled slightly in the future)', () => {
    expect(positionAt(base, 999_000)).toBe(10);
  });

  it('stays at the position while paused, whatever the time', () => {
    expect(positionAt({ ...base, paused: true }, 5_000_000)).toBe(10);
  });
});

describe('isNewer', () => {
  it('accepts a first timeline and higher versions only', () => {
    expect(isNewer(base, undefined)).toBe(true);
    expect(isNewer({ ...base, version: 4 }, base)).toBe(true);
    expect(isNewer({ ...base, version: 3 }, base)).toBe(false);
    expect(isNewer({ ...base, version: 2 }, base)).toBe(false);
  });
});
