// The start rule: where a low-latency player starts so its first segment is complete and leaves
// some media after the start, and how far that is from the target.

import { describe, expect, it } from 'vitest';
import { LIVE_START_MIN_AHEAD_S, liveStartLatency } from '../src/index.js';

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
