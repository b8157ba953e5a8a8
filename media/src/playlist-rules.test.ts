import { describe, expect, it } from 'vitest';
import {
  advancePartLimit,
  blockingVerdict,
  lastCompleteMsn,
  lastPosition,
  partHoldBack,
  partStanding,
  skipBoundary,
  skippableSegments,
  targetDurationFor,
} from './playlist-rules.js';
import { windowOf } from './playlist-testing.js';

describe('derived durations', () => {
  it('rounds each segment to the nearest second for the target duration, at least 1', () => {
    expect(targetDurationFor([])).toBe(1);
    expect(targetDurationFor([1.0, 1.04, 0.96])).toBe(1);
    expect(targetDurationFor([1.0, 1.5, 2.49])).toBe(2);
    expect(targetDurationFor([2.5])).toBe(3);
  });

  it('holds back three part targets and skips past six target durations', () => {
    expect(partHoldBack(0.2)).toBe(0.6);
    expect(partHoldBack(1 / 3)).toBe(1);
    expect(skipBoundary(2)).toBe(12);
  });

  it('lets a client ask 3 s of parts ahead (the Advance Part Limit)', () => {
    expect(advancePartLimit(0.2)).toBe(15);
    expect(advancePartLimit(0.333)).toBe(10);
    expect(advancePartLimit(1)).toBe(3);
    expect(advancePartLimit(2)).toBe(3);
  });
});

describe('positions', () => {
  it('reports the last part of the open segment', () => {
    const w = windowOf({ complete: 3, openParts: 2 });
    expect(lastPosition(w)).toEqual({ msn: 103, part: 1 });
    expect(lastCompleteMsn(w)).toBe(102);
  });

  it('knows no position in an empty window', () => {
    const w = windowOf({ complete: 0 });
    expect(lastPosition(w)).toBeUndefined();
    expect(lastCompleteMsn(w)).toBeUndefined();
  });
});

describe('blocking playlist reload', () => {
  // Segments 100-102 complete, 103 open with parts 0 and 1.
  const w = windowOf({ complete: 3, openParts: 2 });

  it('answers at once when the window holds the asked part', () => {
    expect(blockingVerdict(w, 103, 1)).toBe('ready');
    expect(blockingVerdict(w, 102, 4)).toBe('ready');
    expect(blockingVerdict(w, 101, undefined)).toBe('ready');
  });

  it('counts a part of a closed segment as there when a later segment exists', () => {
    // Segment 102 closed with 5 parts; a client asking for its part 7 gets the playlist.
    expect(blockingVerdict(w, 102, 7)).toBe('ready');
  });

  it('waits for the next part, or for the open segment to complete', () => {
    expect(blockingVerdict(w, 103, 2)).toBe('wait');
    expect(blockingVerdict(w, 103, undefined)).toBe('wait');
    expect(blockingVerdict(w, 104, 0)).toBe('wait');
    expect(blockingVerdict(w, 105, undefined)).toBe('wait');
  });

  it('refuses an msn more than two past the last segment', () => {
    expect(blockingVerdict(w, 105, 0)).toBe('wait');
    expect(blockingVerdict(w, 106, undefined)).toBe('too_far');
    expect(blockingVerdict(w, 106, 0)).toBe('too_far');
  });

  it('refuses a part more than the Advance Part Limit past the last part', () => {
    // Last part is 103.1; the limit at 200 ms parts is 15 parts (3 s).
    expect(blockingVerdict(w, 105, 4)).toBe('wait'); // 2*5 + 4 - 1 = 13 ahead
    expect(blockingVerdict(w, 105, 4 + 2)).toBe('wait'); // 15 ahead
    expect(blockingVerdict(w, 105, 4 + 3)).toBe('too_far'); // 16 ahead
  });

  it('waits on an empty window whatever is asked', () => {
    expect(blockingVerdict(windowOf({ complete: 0 }), 0, 0)).toBe('wait');
  });
});

describe('part requests', () => {
  // Parts 500-516 exist (segments 100-102 of five parts, then 103 with two).
  const w = windowOf({ complete: 3, openParts: 2 });

  it('serves parts in the window', () => {
    expect(partStanding(w, 500)).toBe('present');
    expect(partStanding(w, 516)).toBe('present');
  });

  it('holds the hinted part and a few after it', () => {
    expect(partStanding(w, 517)).toBe('upcoming');
    expect(partStanding(w, 517 + 14)).toBe('upcoming');
    expect(partStanding(w, 517 + 15)).toBe('unknown');
  });

  it('calls parts before the window gone', () => {
    expect(partStanding(w, 499)).toBe('gone');
  });

  it('holds nothing once the stream ended', () => {
    expect(partStanding(windowOf({ complete: 3, ended: true }), 515)).toBe('unknown');
  });
});

describe('delta update skip count', () => {
  it('skips nothing while the playlist is shorter than the skip boundary', () => {
    expect(skippableSegments(windowOf({ complete: 6 }))).toBe(0);
  });

  it('skips a segment that ends exactly on the boundary', () => {
    // 7 s of segments, boundary 6 s: segment 100 ends 6 s before the end.
    expect(skippableSegments(windowOf({ complete: 7 }))).toBe(1);
  });

  it('never skips the open segment', () => {
    const w = windowOf({ complete: 0, openParts: 4 });
    expect(skippableSegments(w)).toBe(0);
  });
});
