import { describe, expect, it } from 'vitest';
import { nowMs } from './clock.js';
import { ResumeTally, sumRecoveries } from './resume-tally.js';
import type { WelcomeInfo } from './fan-receiver.js';

const welcome = (continuity: string, recovered: number): WelcomeInfo => ({
  lastSeq: 10,
  continuity,
  recovered,
});

describe('ResumeTally', () => {
  it('counts welcomes and failures, keeps the first failure and times from the start', () => {
    const tally = new ResumeTally(3, nowMs() - 100);
    tally.welcomed(welcome('resumed', 4));
    tally.failed(7, new Error('boom'));
    tally.failed(8, 'later');
    expect(tally.settled).toBe(3);
    const r = tally.result();
    expect(r).toMatchObject({ dropped: 3, resumed: 1, failed: 2, recovered: 4 });
    expect(r.firstFailure).toBe('fan 7: boom');
    expect(r.continuity).toEqual({ resumed: 1 });
    expect(r.latency.count).toBe(1);
    expect(r.latency.min).toBeGreaterThanOrEqual(100);
  });
});

describe('sumRecoveries', () => {
  it("adds the generators' tallies and keeps the first failure of the first that had one", () => {
    const a = new ResumeTally(2, nowMs());
    a.welcomed(welcome('resumed', 1));
    a.welcomed(welcome('lost', 0));
    const b = new ResumeTally(3, nowMs());
    b.welcomed(welcome('resumed', 2));
    b.failed(5, 'gone');
    b.failed(6, 'also gone');
    const sum = sumRecoveries([a.result(), b.result()]);
    expect(sum.dropped).toBe(5);
    expect(sum.resumed).toBe(3);
    expect(sum.latency.count).toBe(3);
    expect(sum.continuity).toEqual({ resumed: 2, lost: 1 });
    expect(sum.firstFailure).toBe('fan 5: gone');
  });

  it('sums nothing to zeros', () => {
    const sum = sumRecoveries([]);
    expect(sum).toMatchObject({ dropped: 0, resumed: 0, continuity: {}, firstFailure: undefined });
    expect(sum.latency.count).toBe(0);
  });
});
