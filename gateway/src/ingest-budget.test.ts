import { describe, expect, it } from 'vitest';
import { IngestBudget, MIN_SHARE_PER_SEC, PRIORITY_RESERVE, shardShare } from './ingest-budget.js';

describe('shard share of the cap', () => {
  it('follows the fraction of viewers this shard holds, at least the minimum', () => {
    expect(shardShare(100, 250, 1000)).toBe(25);
    expect(shardShare(100, 1, 100_000)).toBe(MIN_SHARE_PER_SEC);
    expect(shardShare(100, 50, 0)).toBe(100); // presence not yet in: all local
  });
});

describe('ingest budget', () => {
  it('lets ordinary fans take all but the reserve, and priority senders the rest', () => {
    const budget = new IngestBudget();
    const rate = 10;
    const reserve = Math.floor(rate * PRIORITY_RESERVE); // 2
    let ordinary = 0;
    while (budget.take(0, rate, false) === 0) ordinary++;
    expect(ordinary).toBe(rate - reserve);
    let priority = 0;
    while (budget.take(0, rate, true) === 0) priority++;
    expect(priority).toBe(reserve);
  });

  it('says when an ordinary message would pass, and refills over time', () => {
    const budget = new IngestBudget();
    for (let i = 0; i < 8; i++) expect(budget.take(0, 10, false)).toBe(0);
    const wait = budget.take(0, 10, false);
    expect(wait).toBe(100);
    expect(budget.take(99, 10, false)).toBeGreaterThan(0);
    expect(budget.take(100, 10, false)).toBe(0);
  });

  it('reserves nothing when the share is too small to split', () => {
    const budget = new IngestBudget();
    expect(budget.take(0, 1, false)).toBe(0);
    expect(budget.take(0, 1, true)).toBe(1000);
    expect(budget.take(1000, 1, false)).toBe(0);
  });
});
