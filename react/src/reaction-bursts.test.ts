import { describe, expect, it } from 'vitest';
import { BURST_LIFETIME_MS, addBursts, liveBursts } from './reaction-bursts.js';

describe('reaction bursts', () => {
  it('adds one burst per emoji with taps, carrying the count', () => {
    const bursts = addBursts(
      [],
      { '🔥': 12, '👏': 1, '😂': 0 },
      { id: 1, at: 0, random: () => 0.5 },
    );
    expect(bursts.map((b) => [b.id, b.emoji, b.count])).toEqual([
      [1, '🔥', 12],
      [2, '👏', 1],
    ]);
    expect(bursts[0]!.left).toBeCloseTo(47.5);
  });

  it('drops the oldest past the cap, and those that floated their lifetime', () => {
    let bursts = addBursts([], { '🔥': 1 }, { id: 1, at: 0, random: Math.random }, 2);
    bursts = addBursts(bursts, { '👏': 1, '🎉': 1 }, { id: 2, at: 100, random: Math.random }, 2);
    expect(bursts.map((b) => b.emoji)).toEqual(['👏', '🎉']);
    expect(liveBursts(bursts, 100 + BURST_LIFETIME_MS)).toEqual([]);
    expect(liveBursts(bursts, 99 + BURST_LIFETIME_MS)).toHaveLength(2);
  });
});
