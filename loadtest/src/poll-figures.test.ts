import { describe, expect, it } from 'vitest';
import { addCounts, addOptionCounts, checkResult, tallyDelays } from './poll-figures.js';
import type { FanTallies } from './poll-figures.js';

describe('tallyDelays', () => {
  // Three fans vote at 100, 200 and 300 ms; the shards send tallies of 1, then 3 votes.
  const fans: FanTallies[] = [
    { votedAtMs: 100, tallies: [400, 1, 900, 3] },
    { votedAtMs: 200, tallies: [410, 1, 910, 3] },
    { votedAtMs: 300, tallies: [420, 1, 950, 3] },
    // A fan that did not vote still has to see the final total.
    { votedAtMs: null, tallies: [430, 1, 990, 3] },
  ];

  it('times each vote to the first tally of its fan that reached the votes accepted by then', () => {
    const d = tallyDelays(fans);
    expect(d.accepted).toBe(3);
    // Fan 1 needs a total of 1 (seen at 400); fans 2 and 3 need 2 and 3 (seen at 910 and 950).
    expect(d.perVoteMs).toEqual([300, 710, 650]);
    expect(d.unseenVotes).toBe(0);
  });

  it('reports the last vote to the moment the last fan had the final total', () => {
    const d = tallyDelays(fans);
    expect(d.lastVoteAtMs).toBe(300);
    expect(d.finalMs).toBe(690);
    expect(d.missingFinal).toBe(0);
  });

  it('counts fans that never saw the final total instead of timing them', () => {
    const d = tallyDelays([...fans, { votedAtMs: null, tallies: [500, 2] }]);
    expect(d.missingFinal).toBe(1);
    expect(d.finalMs).toBe(690);
  });

  it('counts a vote that never showed, and takes a tally that came before its answer as 0', () => {
    const d = tallyDelays([
      { votedAtMs: 100, tallies: [90, 1] },
      { votedAtMs: 150, tallies: [90, 1] },
    ]);
    expect(d.perVoteMs).toEqual([0]);
    expect(d.unseenVotes).toBe(1);
    expect(d.missingFinal).toBe(2);
  });

  it('has no final delay without votes', () => {
    const d = tallyDelays([{ votedAtMs: null, tallies: [] }]);
    expect(d).toMatchObject({ accepted: 0, finalMs: undefined, missingFinal: 0 });
  });
});

describe('checkResult', () => {
  it('passes when every option and the total match', () => {
    expect(checkResult([5, 3, 0], { counts: [5, 3, 0], total: 8 })).toEqual({
      pass: true,
      problems: [],
    });
  });

  it('fails and names the option when one count differs', () => {
    const check = checkResult([5, 3, 0], { counts: [5, 2, 1], total: 8 });
    expect(check.pass).toBe(false);
    expect(check.problems).toEqual([
      'option 1: 3 cast, 2 persisted',
      'option 2: 0 cast, 1 persisted',
    ]);
  });

  it('fails when the total or the option count differs, or there is no result', () => {
    expect(checkResult([5, 3], { counts: [5, 3], total: 9 }).problems).toEqual([
      'total: 8 cast, 9 persisted',
    ]);
    expect(checkResult([5, 3], { counts: [5, 3, 0], total: 8 }).pass).toBe(false);
    expect(checkResult([5, 3], undefined).pass).toBe(false);
  });
});

describe('merging generators', () => {
  it('adds outcome counts by key and option counts by index', () => {
    expect(addCounts({ accepted: 2 }, { accepted: 3, rate_limited: 1 })).toEqual({
      accepted: 5,
      rate_limited: 1,
    });
    expect(addOptionCounts([1, 2], [3, 4, 5])).toEqual([4, 6, 5]);
  });
});
