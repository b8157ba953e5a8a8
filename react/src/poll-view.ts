// Which poll a fan page shows and its numbers, as pure functions: the open poll (or the most
// recently settled one, for its result) and each option's share of the votes.

import type { PollTally, PollView, StageView } from '@fanfare/protocol';

/** The poll to show: the newest open one, else the newest settled one; undefined when none. */
export function currentPoll(stage: StageView | undefined): PollView | undefined {
  const polls = stage?.polls ?? [];
  const open = polls.filter((p) => p.state === 'open');
  return open[open.length - 1] ?? polls[polls.length - 1];
}

export interface OptionShare {
  label: string;
  votes: number;
  /** 0-100, rounded; 0 when nobody voted. */
  percent: number;
}

/**
 * Each option's votes and share: the exact result once closed, else the running tally (zeros
 * before the first one arrives).
 */
export function optionShares(poll: PollView, tally: PollTally | undefined): OptionShare[] {
  const counts = poll.result?.counts ?? tally?.counts ?? [];
  const total = poll.result?.total ?? tally?.total ?? 0;
  return poll.options.map((label, i) => {
    const votes = counts[i] ?? 0;
    return { label, votes, percent: total > 0 ? Math.round((votes / total) * 100) : 0 };
  });
}
