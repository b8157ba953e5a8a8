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
  it('limits per address first, then per event', () => {
    const clock = new ManualClock(0);
    const limiter = new JoinLimiter(
      { perAddress: { ratePerSecond: 1, burst: 2 }, perEvent: { ratePerSecond: 1, burst: 3 } },
      clock,
    );
    expect(limiter.admit('e', '198.51.100.7')).toBe(0);
    expect(limiter.admit('e', '198.51.100.7')).toBe(0);
    expect(limiter.admit('e', '198.51.100.7')).toBe(1000);
    expect(limiter.admit('e', '198.51.100.8')).toBe(0); // the third of the event's burst
    expect(limiter.admit('e', undefined)).toBe(1000); // the event is at its limit
    expect(limiter.admit('other', undefined)).toBe(0);
    clock.advance(1000);
    expect(limiter.admit('e', '198.51.100.7')).toBe(0);
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
