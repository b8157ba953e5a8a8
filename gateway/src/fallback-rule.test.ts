import { shard } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { NO_FALLBACK, fallbackTable, pickFallback } from './fallback-rule.js';

/** A deterministic source in [0, 1): a small LCG (Numerical Recipes' constants). */
function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** How many of `n` picks went to each URL. */
function tally(urls: readonly string[], n: number, pick: () => string | undefined) {
  const counts = new Map<string | undefined, number>(urls.map((u) => [u, 0]));
  for (let i = 0; i < n; i++) {
    const url = pick();
    counts.set(url, (counts.get(url) ?? 0) + 1);
  }
  return counts;
}

describe('fallbackTable', () => {
  it('takes every other live shard with free room, weighted by it, in registry order', () => {
    const t = fallbackTable('a', [
      shard('a', { capacity: 100, fans: 10 }),
      shard('b', { capacity: 100, fans: 70 }),
      shard('c', { capacity: 50, fans: 0 }),
    ]);
    expect(t.urls).toEqual(['ws://127.0.0.1/b', 'ws://127.0.0.1/c']);
    expect(t.ends).toEqual([30, 80]);
  });

  it('never takes this shard, a draining shard, a full one or one past its capacity', () => {
    const t = fallbackTable('a', [
      shard('a', { capacity: 100, fans: 0 }),
      shard('b', { capacity: 100, fans: 0, draining: true }),
      shard('c', { capacity: 100, fans: 100 }),
      shard('d', { capacity: 100, fans: 130 }),
      shard('e', { capacity: 100, fans: 99 }),
    ]);
    expect(t.urls).toEqual(['ws://127.0.0.1/e']);
    expect(t.ends).toEqual([1]);
  });

  it('names no peer for a shard alone, or when no other has room', () => {
    expect(fallbackTable('a', [shard('a')])).toBe(NO_FALLBACK);
    expect(fallbackTable('a', [])).toBe(NO_FALLBACK);
    expect(fallbackTable('a', [shard('a'), shard('b', { fans: 100 })])).toBe(NO_FALLBACK);
    expect(pickFallback(NO_FALLBACK, () => 0.5)).toBeUndefined();
  });

  it('ignores an entry without a URL and a second entry under the same id', () => {
    const t = fallbackTable('a', [
      shard('b', { url: '' }),
      shard('c', { fans: 90 }),
      shard('c', { fans: 0, url: 'ws://other/c' }),
    ]);
    expect(t.urls).toEqual(['ws://127.0.0.1/c']);
  });
});

describe('pickFallback', () => {
  const table = fallbackTable('dead', [
    shard('b', { capacity: 100, fans: 90 }), // 10 free
    shard('c', { capacity: 100, fans: 70 }), // 30 free
    shard('dead', { capacity: 100, fans: 100 }),
    shard('e', { capacity: 100, fans: 40 }), // 60 free
  ]);

  it('maps the random draw onto the peers by their cumulative free room', () => {
    const at = (r: number) => pickFallback(table, () => r);
    expect(at(0)).toBe('ws://127.0.0.1/b');
    expect(at(0.0999)).toBe('ws://127.0.0.1/b');
    expect(at(0.1)).toBe('ws://127.0.0.1/c');
    expect(at(0.3999)).toBe('ws://127.0.0.1/c');
    expect(at(0.4)).toBe('ws://127.0.0.1/e');
    expect(at(0.999999)).toBe('ws://127.0.0.1/e');
  });

  it('is deterministic given the random source', () => {
    const run = () =>
      Array.from({ length: 50 }, seeded(7)).map((r) => pickFallback(table, () => r));
    expect(run()).toEqual(run());
  });

  it('spreads a dead shard’s fans over the survivors in proportion to their free room', () => {
    const random = seeded(42);
    const n = 20_000;
    const counts = tally(table.urls, n, () => pickFallback(table, random));
    // Expected 2,000 / 6,000 / 12,000 (a binomial's sd here is at most 70: 300 is over 4 sd).
    expect(Math.abs(counts.get('ws://127.0.0.1/b')! - 2_000)).toBeLessThan(300);
    expect(Math.abs(counts.get('ws://127.0.0.1/c')! - 6_000)).toBeLessThan(300);
    expect(Math.abs(counts.get('ws://127.0.0.1/e')! - 12_000)).toBeLessThan(300);
    expect(counts.get(undefined)).toBeUndefined();
  });

  it('spreads evenly over equally free survivors (no pile onto the first)', () => {
    const even = fallbackTable(
      's0',
      Array.from({ length: 6 }, (_, i) => shard(`s${i}`, { capacity: 19_000, fans: 3_000 })),
    );
    const random = seeded(3);
    const spread = tally(even.urls, 19_000, () => pickFallback(even, random));
    // Expected 3,800 each (sd 55).
    expect(even.urls).toHaveLength(5);
    for (const url of even.urls) expect(Math.abs(spread.get(url)! - 3_800)).toBeLessThan(300);
  });
});
