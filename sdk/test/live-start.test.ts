// The start rule: where a low-latency player starts so its first segment is complete and leaves
// some media after the start, and how far that is from the target.

import { describe, expect, it } from 'vitest';
import { LIVE_START_MIN_AHEAD_S, liveStartJumpS, liveStartLatency } from '../src/index.js';

// A playlist of 1 s segments and 0.2 s parts; the last complete segment is [10, 11).
const at = (edge: number) => ({ edge, lastSegmentStart: 10, lastSegmentEnd: 11 });

describe('liveStartLatency', () => {
  it('keeps the target when edge - target lies in the complete segment with room after it', () => {
    // Edge 11.2: 11.2 - 0.6 = 10.6, 0.4 s before the segment's end.
    expect(liveStartLatency(at(11.2), 0.6)).toBeCloseTo(0.6);
    expect(liveStartLatency(at(11), 0.6)).toBeCloseTo(0.6);
  });

  it('starts earlier when edge - target lies in the segment being written', () => {
    // Edge 11.8 (four parts of the next segment): 11.2 is in the making; start at 11 - 0.3.
    expect(LIVE_START_MIN_AHEAD_S).toBe(0.3);
    expect(liveStartLatency(at(11.8), 0.6)).toBeCloseTo(11.8 - 10.7);
    // Too close to the segment's end leaves too little after the start: moved back as well.
    expect(liveStartLatency(at(11.4), 0.6)).toBeCloseTo(11.4 - 10.7);
  });

  it('never starts before the complete segment (its independent part)', () => {
    expect(liveStartLatency(at(11.8), 0.6, 2)).toBeCloseTo(1.8);
  });

  it('never starts nearer live than the target', () => {
    expect(liveStartLatency(at(11.8), 3)).toBeCloseTo(3);
  });
});

describe('liveStartJumpS', () => {
  it('jumps toward the target, keeping the start rule’s margin buffered', () => {
    // 1.5 s behind for a 0.6 s target: 0.9 s to go, but 1 s buffered keeps 0.3: jump 0.7.
    expect(liveStartJumpS(1500, 600, 1000)).toBeCloseTo(0.7);
    // Enough buffered: the whole way.
    expect(liveStartJumpS(1500, 600, 2000)).toBeCloseTo(0.9);
  });

  it('does not jump for less than 100 ms, nor into the margin', () => {
    expect(liveStartJumpS(690, 600, 2000)).toBe(0);
    expect(liveStartJumpS(1500, 600, 350)).toBe(0);
  });
});
