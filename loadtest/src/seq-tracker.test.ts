import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_GAPS, SeqTracker } from './seq-tracker.js';

describe('SeqTracker', () => {
  it('accepts consecutive seqs after the snapshot', () => {
    const t = new SeqTracker(10);
    expect([11, 12, 13].map((s) => t.observe(s))).toEqual(['next', 'next', 'next']);
    expect(t.last).toBe(13);
  });

  it('counts a seq at or below the snapshot as a duplicate', () => {
    const t = new SeqTracker(10);
    expect(t.observe(10)).toBe('duplicate');
    expect(t.observe(3)).toBe('duplicate');
  });

  it('tells a late arrival from a repeat', () => {
    const t = new SeqTracker(0);
    expect(t.observe(1)).toBe('next');
    expect(t.observe(3)).toBe('next');
    expect(t.missing).toBe(1);
    expect(t.observe(2)).toBe('late');
    expect(t.observe(2)).toBe('duplicate');
    expect(t.observe(3)).toBe('duplicate');
    expect(t.missing).toBe(0);
  });

  it('bounds the gaps it remembers', () => {
    const t = new SeqTracker(0);
    t.observe(MAX_TRACKED_GAPS * 3);
    expect(t.missing).toBe(MAX_TRACKED_GAPS);
  });
});

describe('SeqTracker loss accounting', () => {
  it('counts an injected gap as lost until the late message fills it', () => {
    const t = new SeqTracker(100);
    for (const seq of [101, 102, 104, 105]) t.observe(seq);
    expect(t.lostUpTo(105)).toBe(1);
    expect(t.observe(103)).toBe('late');
    expect(t.lostUpTo(105)).toBe(0);
  });

  it('counts what never came after the last seq seen', () => {
    const t = new SeqTracker(0);
    t.observe(1);
    expect(t.lostUpTo(4)).toBe(3);
  });

  it('does not count an injected duplicate as a delivery', () => {
    const t = new SeqTracker(0);
    expect([1, 2, 2, 3].map((s) => t.observe(s))).toEqual(['next', 'next', 'duplicate', 'next']);
    expect(t.distinct).toBe(3);
    expect(t.lostUpTo(3)).toBe(0);
  });
});
