import { describe, expect, it } from 'vitest';
import { LiveSeries } from './live-series.js';

const T0 = 1_700_000_000_000;

describe('the live panels series', () => {
  it('keeps one point a second: the latest viewers, chat and taps summed, quiet seconds filled', () => {
    const s = new LiveSeries(300);
    s.viewers(3, T0);
    s.chat(1, T0 + 200);
    s.chat(1, T0 + 900);
    s.reactions(5, T0 + 950);
    s.reactions(2, T0 + 2100);
    s.viewers(4, T0 + 2500);
    expect(s.at(T0 + 3000)).toEqual({
      t: [T0 / 1000, T0 / 1000 + 1, T0 / 1000 + 2, T0 / 1000 + 3],
      viewers: [3, 3, 4, 4],
      chat: [2, 0, 0, 0],
      reactions: [5, 0, 2, 0],
    });
    expect(s.totals(T0 + 3000, 60)).toEqual({ chat: 2, reactions: 7 });
    expect(s.totals(T0 + 3000, 2)).toEqual({ chat: 0, reactions: 2 });
  });

  it('counts a late frame in its own second, and keeps only the window', () => {
    const s = new LiveSeries(3);
    s.chat(1, T0);
    s.chat(1, T0 + 2000);
    s.chat(1, T0 + 500); // arrives late: still counted in its second
    expect(s.at(T0 + 2000).chat).toEqual([2, 0, 1]);
    expect(s.at(T0 + 4000).chat).toEqual([1, 0, 0]);
    expect(s.at(T0 + 60_000).t).toEqual([T0 / 1000 + 58, T0 / 1000 + 59, T0 / 1000 + 60]);
    s.chat(1, T0); // older than the window: counted in the oldest point kept
    expect(s.at(T0 + 60_000).chat).toEqual([1, 0, 0]);
  });
});
