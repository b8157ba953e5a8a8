import { ManualClock } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { JoinLimiter, KeyedBuckets, clientAddress } from './join-limiter.js';

describe('KeyedBuckets', () => {
  it('admits a burst, then one per 1/rate seconds, per key', () => {
    const buckets = new KeyedBuckets({ ratePerSecond: 2, burst: 3 });
    expect([0, 0, 0].map(() => buckets.take('a', 0))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 0)).toBe(500);
    expect(buckets.take('b', 0)).toBe(0);
    expect(buckets.take('a', 499)).toBe(2);
    expect(buckets.take('a', 500)).toBe(0);
  });

  it('keeps at most maxKeys buckets, dropping the oldest', () => {
    const buckets = new KeyedBuckets({ ratePerSecond: 1, burst: 1 }, 2);
    buckets.take('a', 0);
    buckets.take('b', 0);
    buckets.take('c', 0);
    expect(buckets.size).toBe(2);
    expect(buckets.take('a', 0)).toBe(0); // dropped, so full again
  });
});

describe('JoinLimiter', () => {
  const limited = (retryAfterS: number) => ({ code: 'rate_limited', retryAfterS });

  it('limits per address first, then per event', () => {
    const clock = new ManualClock(0);
    const limiter = new JoinLimiter(
      {
        perAddress: { ratePerSecond: 1, burst: 2 },
        perEvent: { ratePerSecond: 1, burst: 3 },
        budget: undefined,
      },
      clock,
    );
    expect(limiter.admit('e', '198.51.100.7')).toBeUndefined();
    expect(limiter.admit('e', '198.51.100.7')).toBeUndefined();
    expect(limiter.admit('e', '198.51.100.7')).toEqual(limited(1));
    expect(limiter.admit('e', '198.51.100.8')).toBeUndefined(); // the third of the event's burst
    expect(limiter.admit('e', undefined)).toEqual(limited(1)); // the event is at its limit
    expect(limiter.admit('other', undefined)).toBeUndefined();
    clock.advance(1000);
    expect(limiter.admit('e', '198.51.100.7')).toBeUndefined();
  });

  it("refuses past the process's budget with overloaded, all events together", () => {
    const clock = new ManualClock(0);
    const limiter = new JoinLimiter(
      { perAddress: undefined, perEvent: undefined, budget: { ratePerSecond: 10, burst: 3 } },
      clock,
    );
    expect(['a', 'b', 'c'].map((e) => limiter.admit(e, undefined))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(limiter.admit('d', undefined)).toEqual({ code: 'overloaded', retryAfterS: 1 });
    clock.advance(100);
    expect(limiter.admit('d', undefined)).toBeUndefined();
  });

  it('spreads the Retry-After of a refused crowd over the seconds the budget needs for it', () => {
    const clock = new ManualClock(0);
    const limiter = new JoinLimiter(
      { perAddress: undefined, perEvent: undefined, budget: { ratePerSecond: 100, burst: 100 } },
      clock,
    );
    const seconds = Array.from({ length: 1_000 }, () => limiter.admit('e', undefined))
      .filter((x) => x !== undefined)
      .map((x) => x.retryAfterS);
    expect(seconds).toHaveLength(900);
    expect(Math.min(...seconds)).toBe(1);
    expect(Math.max(...seconds)).toBe(9);
  });

  it('checks the address before the budget, so a refused address costs the budget nothing', () => {
    const clock = new ManualClock(0);
    const limiter = new JoinLimiter(
      {
        perAddress: { ratePerSecond: 1, burst: 1 },
        perEvent: undefined,
        budget: { ratePerSecond: 1, burst: 2 },
      },
      clock,
    );
    expect(limiter.admit('e', '203.0.113.1')).toBeUndefined();
    for (let i = 0; i < 5; i++)
      expect(limiter.admit('e', '203.0.113.1')?.code).toBe('rate_limited');
    expect(limiter.admit('e', '203.0.113.2')).toBeUndefined();
    expect(limiter.admit('e', '203.0.113.3')?.code).toBe('overloaded');
  });
});

describe('clientAddress', () => {
  it('takes the last entry of the trusted header, the one the proxy appended', () => {
    expect(clientAddress('x-forwarded-for', '6.6.6.6, 203.0.113.9', '10.0.0.1')).toBe(
      '203.0.113.9',
    );
    expect(clientAddress('x-real-ip', undefined, '10.0.0.1')).toBeUndefined();
  });

  it('uses the peer without a header, and does not limit loopback peers', () => {
    expect(clientAddress(undefined, undefined, '203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddress(undefined, undefined, '127.0.0.1')).toBeUndefined();
    expect(clientAddress(undefined, undefined, '::1')).toBeUndefined();
    expect(clientAddress(undefined, undefined, '::ffff:127.0.0.1')).toBeUndefined();
  });
});
