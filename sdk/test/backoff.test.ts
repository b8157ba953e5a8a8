import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKOFF,
  RESTART_JITTER_MS,
  backoffCap,
  backoffDelay,
  restartDelay,
} from '../src/index.js';

const delays = (random: number, attempts: number) =>
  Array.from({ length: attempts }, (_, n) => backoffDelay(n, DEFAULT_BACKOFF, () => random));

describe('backoff', () => {
  it('waits the full cap when random() is 1: doubling from 500 ms, capped at 30 s', () => {
    expect(delays(1, 9)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('waits half the cap when random() is 0.5', () => {
    expect(delays(0.5, 9)).toEqual([250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });

  it('draws from zero up to the cap ("full jitter")', () => {
    expect(delays(0, 4)).toEqual([0, 0, 0, 0]);
    const options = { initialMs: 100, maxMs: 1_000, factor: 3 };
    expect([0, 1, 2, 3].map((n) => backoffCap(n, options))).toEqual([100, 300, 900, 1000]);
    expect(backoffDelay(2, options, () => 0.1)).toBe(90);
  });

  it('spreads reconnects after a server restart over at most a second', () => {
    expect(restartDelay(() => 0)).toBe(0);
    expect(restartDelay(() => 0.25)).toBe(250);
    expect(restartDelay(() => 1)).toBe(RESTART_JITTER_MS);
    expect(RESTART_JITTER_MS).toBe(1000);
  });
});
