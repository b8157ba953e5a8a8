import type { PollView, StageView } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { currentPoll, optionShares } from './poll-view.js';

const poll = (id: string, state: PollView['state'], extra: Partial<PollView> = {}): PollView => ({
  id,
  question: 'Who wins?',
  options: ['Red', 'Blue', 'Green'],
  state,
  opensAt: 0,
  closesAt: 60_000,
  ...extra,
});
const stage = (polls: PollView[]): StageView => ({
  version: 1,
  title: 't',
  state: 'live',
  pinned: null,
  slowModeS: null,
  entitledOnlyChat: false,
  polls,
});

describe('the poll a fan sees', () => {
  it('is the newest open poll, else the newest settled one', () => {
    expect(currentPoll(stage([poll('a', 'closed'), poll('b', 'open')]))?.id).toBe('b');
    expect(currentPoll(stage([poll('a', 'closed'), poll('b', 'cancelled')]))?.id).toBe('b');
    expect(currentPoll(stage([]))).toBeUndefined();
    expect(currentPoll(undefined)).toBeUndefined();
  });

  it('shows the running tally, then the exact result once closed', () => {
    const tally = { pollId: 'a', version: 3, counts: [1, 3, 0], total: 4 };
    expect(optionShares(poll('a', 'open'), tally).map((s) => [s.votes, s.percent])).toEqual([
      [1, 25],
      [3, 75],
      [0, 0],
    ]);
    const closed = poll('a', 'closed', { result: { counts: [2, 2, 0], total: 4 } });
    expect(optionShares(closed, tally).map((s) => s.percent)).toEqual([50, 50, 0]);
    expect(optionShares(poll('a', 'open'), undefined).map((s) => s.votes)).toEqual([0, 0, 0]);
  });
});
