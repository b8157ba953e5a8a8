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
