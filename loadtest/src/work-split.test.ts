import { describe, expect, it } from 'vitest';
import type { BenchOptions } from './options.js';
import { splitWork } from './work-split.js';

const settings = {
  apiUrl: 'http://127.0.0.1:1',
  totalConnectConcurrency: 50,
  fanConnectTimeoutMs: 1,
};

function options(fans: number, workers: number, senders: number): BenchOptions {
  return {
    fans,
    workers,
    senders,
    ratePerS: 1000,
    durationS: 1,
    eventId: 'demo',
    targetApi: undefined,
  };
}

describe('splitWork', () => {
  it('gives every fan to exactly one worker', () => {
    const plans = splitWork(options(2001, 2, 10), settings);
    expect(plans.map((p) => [p.firstFan, p.fans])).toEqual([
      [0, 1001],
      [1001, 1000],
    ]);
  });

  it('spreads senders round-robin at an equal share of the rate', () => {
    const plans = splitWork(options(2000, 3, 10), settings);
    expect(plans.map((p) => p.senders)).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(plans.every((p) => p.ratePerSender === 100 && p.totalSenders === 10)).toBe(true);
  });

  it('never gives a worker more senders than fans', () => {
    for (const plan of splitWork(options(5, 3, 5), settings)) {
      expect(plan.senders.length).toBeLessThanOrEqual(plan.fans);
    }
  });

  it('shares the connect concurrency between workers', () => {
    expect(splitWork(options(100, 2, 1), settings)[0]!.connectConcurrency).toBe(25);
  });
});
