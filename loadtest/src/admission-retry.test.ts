import { describe, expect, it } from 'vitest';
import { nowMs } from './clock.js';
import { arrivalAtMs, refusal503, retryWhileRefused } from './admission-retry.js';

const refused = (retryAfterS?: number) =>
  Object.assign(new Error('503'), { status: 503, retryAfterS });

describe('retryWhileRefused', () => {
  it('waits out 503s and counts them, then returns what the attempt got', async () => {
    let calls = 0;
    const counts = { refused: 0, retries: 0 };
    const waits: number[] = [];
    const result = await retryWhileRefused(
      () =>
        ++calls < 3 ? Promise.reject(refused(calls === 1 ? 2 : undefined)) : Promise.resolve('in'),
      nowMs() + 60_000,
      counts,
      () => 0.5,
      (ms) => Promise.resolve(waits.push(ms)),
    );
    expect(result).toBe('in');
    expect(counts).toEqual({ refused: 2, withRetryAfter: 1, retries: 2 });
    // Retry-After 2 plus half of the 1 s minimum jitter; no header counts as 1 s, plus half of 1 s.
    expect(waits).toEqual([2500, 1500]);
  });

  it('backs off after failures without an answer, as the SDK does', async () => {
    let calls = 0;
    const counts = { refused: 0, retries: 0 };
    const waits: number[] = [];
    const reset = Object.assign(new Error('reset'), { status: 0 });
    await retryWhileRefused(
      () => (++calls < 4 ? Promise.reject(reset) : Promise.resolve('in')),
      nowMs() + 60_000,
      counts,
      () => 0.5,
      (ms) => Promise.resolve(waits.push(ms)),
    );
    expect(waits).toEqual([250, 500, 1000]);
    expect(counts).toEqual({ refused: 0, failedAttempts: 3, retries: 3 });
  });

  it('rethrows a 4xx at once, and a 503 whose wait passes the deadline', async () => {
    const counts = { refused: 0, retries: 0 };
    await expect(
      retryWhileRefused(
        () => Promise.reject(Object.assign(new Error('banned'), { status: 403 })),
        nowMs() + 60_000,
        counts,
      ),
    ).rejects.toThrow('banned');
    await expect(
      retryWhileRefused(() => Promise.reject(refused(5)), nowMs() + 1_000, counts),
    ).rejects.toThrow('503');
    expect(counts).toEqual({ refused: 1, withRetryAfter: 1, retries: 0 });
  });
});

describe('the arrival schedule', () => {
  it('spreads fans evenly over the window by their global index', () => {
    const arrival = { startAtMs: 1000, windowMs: 2000, totalFans: 4, deadlineMs: 0 };
    expect([0, 1, 2, 3].map((i) => arrivalAtMs(arrival, i))).toEqual([1000, 1500, 2000, 2500]);
  });

  it('reads the Retry-After of 503s only', () => {
    expect(refusal503(refused(2))).toEqual({ retryAfterS: 2 });
    expect(refusal503(Object.assign(new Error('x'), { status: 401 }))).toBeUndefined();
  });
});
