// Tap merging: 120 taps of one emoji inside one window leave as 50, 50 and 20 over three
// successive windows, one frame per emoji per window (the documented choice), never a frame per
// tap.

import type { ReactionEmoji } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { TapMerger } from '../src/index.js';
import { ManualClock } from '@fanfare/fanout/testing';

function setup() {
  const clock = new ManualClock();
  const frames: { at: number; emoji: ReactionEmoji; count: number }[] = [];
  const merger = new TapMerger({
    clock,
    flushMs: 100,
    send: (emoji, count) => frames.push({ at: clock.now(), emoji, count }),
  });
  const start = clock.now();
  const sentAt = () => frames.map((f) => ({ ...f, at: f.at - start }));
  return { clock, frames, merger, sentAt };
}

describe('TapMerger', () => {
  it('sends 120 taps in one window as 50, 50 and 20 over three windows', () => {
    const { clock, frames, merger, sentAt } = setup();
    for (let i = 0; i < 120; i++) {
      merger.tap('🔥', 1);
      clock.advance(0.5);
    }
    expect(frames).toEqual([]); // nothing before the window ends
    clock.advance(40);
    expect(sentAt()).toEqual([{ at: 100, emoji: '🔥', count: 50 }]);
    clock.advance(100);
    clock.advance(100);
    expect(sentAt()).toEqual([
      { at: 100, emoji: '🔥', count: 50 },
      { at: 200, emoji: '🔥', count: 50 },
      { at: 300, emoji: '🔥', count: 20 },
    ]);
    clock.advance(1_000);
    expect(frames).toHaveLength(3); // quiet: no more frames, no timer left
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('sends one frame per emoji per window, merging counts', () => {
    const { clock, merger, sentAt } = setup();
    merger.tap('👏', 2);
    merger.tap('🔥', 1);
    clock.advance(30);
    merger.tap('👏', 3);
    clock.advance(70);
    merger.tap('🔥', 4); // after the window closed: opens the next one
    clock.advance(100);
    expect(sentAt()).toEqual([
      { at: 100, emoji: '👏', count: 5 },
      { at: 100, emoji: '🔥', count: 1 },
      { at: 200, emoji: '🔥', count: 4 },
    ]);
  });

  it('drops pending taps on clear', () => {
    const { clock, frames, merger } = setup();
    merger.tap('🎉', 7);
    expect(merger.pending('🎉')).toBe(7);
    merger.clear();
    clock.advance(500);
    expect(frames).toEqual([]);
    expect(merger.pending('🎉')).toBe(0);
  });

  it('refuses a count that is not a positive integer', () => {
    const { merger } = setup();
    expect(() => merger.tap('🔥', 0)).toThrow(RangeError);
    expect(() => merger.tap('🔥', 1.5)).toThrow(RangeError);
  });
});
