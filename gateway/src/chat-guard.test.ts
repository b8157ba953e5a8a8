import { describe, expect, it } from 'vitest';
import { ChatGuard, type ChatLimits } from './chat-guard.js';
import { newBucket, take } from './token-bucket.js';

const limits: ChatLimits = {
  fan: { ratePerSecond: 1, burst: 3 },
  staff: { ratePerSecond: 5, burst: 20 },
  duplicateWindowMs: 30_000,
};

describe('token bucket', () => {
  it('allows the burst, then one per refill interval, and says how long to wait', () => {
    const spec = { ratePerSecond: 1, burst: 3 };
    const bucket = newBucket(spec, 0);
    expect([take(bucket, spec, 0), take(bucket, spec, 0), take(bucket, spec, 0)]).toEqual([
      0, 0, 0,
    ]);
    expect(take(bucket, spec, 0)).toBe(1000);
    expect(take(bucket, spec, 400)).toBe(600);
    expect(take(bucket, spec, 1000)).toBe(0);
    expect(take(bucket, spec, 10_000)).toBe(0); // refill caps at the burst
    expect(take(bucket, spec, 10_000, 3)).toBe(1000);
  });
});

describe('ChatGuard', () => {
  it('admits a burst of 3 for a fan, then refuses with a retry hint', () => {
    const guard = new ChatGuard(limits, false, 0);
    for (const text of ['a', 'b', 'c']) expect(guard.admit(text, 0)).toEqual({ ok: true });
    expect(guard.admit('d', 0)).toEqual({ ok: false, code: 'rate_limited', retryAfterMs: 1000 });
    expect(guard.admit('d', 1000)).toEqual({ ok: true });
  });

  it('gives staff a bigger budget', () => {
    const guard = new ChatGuard(limits, true, 0);
    for (let i = 0; i < 20; i++) expect(guard.admit(`m${i}`, 0).ok).toBe(true);
    expect(guard.admit('m20', 0).ok).toBe(false);
  });

  it('refuses the same text for 30 s, ignoring case and spacing, without spending budget', () => {
    const guard = new ChatGuard(limits, false, 0);
    expect(guard.admit('Nice  goal', 0).ok).toBe(true);
    expect(guard.admit('nice goal', 1000)).toEqual({ ok: false, code: 'duplicate_message' });
    expect(guard.admit('NICE GOAL', 29_999)).toEqual({ ok: false, code: 'duplicate_message' });
    expect(guard.admit('nice goal', 30_000)).toEqual({ ok: true });
  });

  it('forgets a message that could not be stored, so its retry passes', () => {
    const guard = new ChatGuard(limits, false, 0);
    for (const text of ['a', 'b', 'c']) guard.admit(text, 0);
    guard.forget('c');
    expect(guard.admit('c', 0)).toEqual({ ok: true });
  });
});

describe('ChatGuard memory', () => {
  it('remembers nothing before its first admission, and keys only for keyed messages', () => {
    const guard = new ChatGuard(limits, false, 0);
    expect(guard.remembers).toEqual({ texts: false, keys: false });
    guard.admit('hello', 0);
    expect(guard.remembers).toEqual({ texts: true, keys: false });
    guard.admit('again', 0, 'k1');
    expect(guard.remembers).toEqual({ texts: true, keys: true });
    expect(guard.admit('again', 10, 'k1')).toEqual({ ok: true }); // the keyed retry still passes
  });

  it('lets go of its memories once their windows have passed', () => {
    const guard = new ChatGuard(limits, false, 0);
    guard.admit('hello', 0, 'k1');
    guard.admit('later', 30_000);
    expect(guard.remembers).toEqual({ texts: true, keys: true }); // 'later' is still recent
    guard.admit('much later', 200_000);
    expect(guard.remembers).toEqual({ texts: true, keys: false });
    expect(guard.admit('hello', 200_001)).toEqual({ ok: true }); // no longer a duplicate
  });

  it('remembers no texts when the duplicate window is off', () => {
    const guard = new ChatGuard({ ...limits, duplicateWindowMs: 0 }, false, 0);
    expect(guard.admit('same', 0)).toEqual({ ok: true });
    expect(guard.admit('same', 0)).toEqual({ ok: true });
    expect(guard.remembers).toEqual({ texts: false, keys: false });
  });
});
