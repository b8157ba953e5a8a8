import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIVE_EDGE_RULE,
  LIVE_EDGE_DEAD_BAND_MS,
  steerLiveEdge,
  type LiveEdgeStep,
} from '../src/index.js';

const rate = (step: LiveEdgeStep) => (step.kind === 'rate' ? step.rate : NaN);

describe('steerLiveEdge', () => {
  it('plays at exactly 1 inside the dead band', () => {
    expect(steerLiveEdge(800, 800, 1000)).toEqual({ kind: 'rate', rate: 1 });
    expect(steerLiveEdge(800 + LIVE_EDGE_DEAD_BAND_MS, 800, 1000)).toEqual({
      kind: 'rate',
      rate: 1,
    });
    expect(steerLiveEdge(800 - LIVE_EDGE_DEAD_BAND_MS, 800, 1000)).toEqual({
      kind: 'rate',
      rate: 1,
    });
  });

  it('speeds up behind the target and slows down ahead of it, in proportion', () => {
    expect(rate(steerLiveEdge(900, 800, 1000))).toBe(1.05); // 100 ms x 0.5/s, at the bound
    expect(rate(steerLiveEdge(860, 800, 1000))).toBe(1.03);
    expect(rate(steerLiveEdge(740, 800, 1000))).toBe(0.97);
  });

  it('never leaves 0.95-1.05 however far off, short of a seek', () => {
    for (let delay = 0; delay <= 1400; delay += 25) {
      const step = steerLiveEdge(delay, 800, 0);
      if (step.kind === 'rate') {
        expect(step.rate).toBeGreaterThanOrEqual(0.95);
        expect(step.rate).toBeLessThanOrEqual(1.05);
      }
    }
  });

  it('seeks when far off: back by the whole error, forward only into the buffer', () => {
    expect(steerLiveEdge(3000, 800, 5000)).toEqual({ kind: 'seek', seconds: 2.2 });
    expect(steerLiveEdge(3000, 800, 1800)).toEqual({
      kind: 'seek',
      seconds: (1800 - LIVE_EDGE_DEAD_BAND_MS) / 1000,
    });
    // Too little buffered to jump usefully: steer at the bound until the buffer fills.
    expect(steerLiveEdge(3000, 800, 300)).toEqual({ kind: 'rate', rate: 1.05 });
    expect(steerLiveEdge(100, 800, 0)).toEqual({ kind: 'seek', seconds: -0.7 });
    // Just inside the seek threshold: steered, not jumped.
    expect(steerLiveEdge(1400, 800, 5000)).toEqual({ kind: 'rate', rate: 1.05 });
  });

  it('brings two players that start 1.4 s apart within two dead bands of each other (fake time)', () => {
    // A player's delay changes by (1 - rate) per second of playback; steered every 250 ms.
    const target = 800;
    const players = [2200, 850];
    const maxSpread: number[] = [];
    for (let t = 0; t < 60_000; t += 250) {
      for (let i = 0; i < players.length; i++) {
        const step = steerLiveEdge(players[i]!, target, 10_000, {
          ...DEFAULT_LIVE_EDGE_RULE,
          seekBeyondMs: Infinity, // steer only: the slow path must converge on its own
        });
        players[i]! -= (rate(step) - 1) * 250;
      }
      maxSpread.push(Math.abs(players[0]! - players[1]!));
    }
    expect(Math.abs(players[0]! - target)).toBeLessThanOrEqual(LIVE_EDGE_DEAD_BAND_MS);
    expect(Math.abs(players[1]! - target)).toBeLessThanOrEqual(LIVE_EDGE_DEAD_BAND_MS);
    expect(maxSpread.at(-1)).toBeLessThanOrEqual(2 * LIVE_EDGE_DEAD_BAND_MS);
    // Within 40 s of steering at most 5 % (1.4 s of error at 0.05 s/s takes 28 s plus the tail).
    expect(maxSpread[160]).toBeLessThanOrEqual(2 * LIVE_EDGE_DEAD_BAND_MS);
  });
});
