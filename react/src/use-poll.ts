// The poll a fan sees: the open one (or the latest result), its running tally (at most two
// updates a second), and voting, with this fan's own vote remembered per poll.

import { useCallback, useState } from 'react';
import type { PollTally, PollView, StageView } from '@fanfare/protocol';
import { VoteRefusedError } from '@fanfare/sdk';
import { currentPoll, optionShares, type OptionShare } from './poll-view.js';
import { useFanfare } from './provider.js';
import { useClientEvent } from './use-client-event.js';
import { useSpoilerGate } from './use-spoiler-free.js';

export interface Poll {
  poll: PollView | undefined;
  tally: PollTally | undefined;
  /** Per option: label, votes and percent, from the result once closed. */
  shares: OptionShare[];
  /** Total votes counted so far (the result's total once closed). */
  total: number;
  /** The option this fan voted for in this poll, once the server recorded it. */
  myVote: number | undefined;
  /** The refusal of this fan's last vote (`already_voted`, `poll_closed`, ...). */
  voteError: string | undefined;
  vote(option: number): Promise<void>;
}

export function usePoll(): Poll {
  const client = useFanfare();
  // The poll, its tally and its result as of the fan's picture (spoiler-free mode): each stage
  // change and tally waits for the moment it arrived to be on screen.
  const [stage, setStage] = useState<StageView | undefined>(client.stage);
  const showStage = useSpoilerGate<StageView>(setStage);
  useClientEvent('stage', showStage);
  const poll = currentPoll(stage);
  const [tallies, setTallies] = useState<Record<string, PollTally>>({});
  const [votes, setVotes] = useState<Record<string, number>>({});
  const [voteError, setVoteError] = useState<string>();
  const showTally = useSpoilerGate<PollTally>((tally) =>
    setTallies((t) => ({ ...t, [tally.pollId]: tally })),
  );
  useClientEvent('tally', showTally);

  const tally = poll ? (tallies[poll.id] ?? client.tally(poll.id)) : undefined;
  const vote = useCallback(
    async (option: number) => {
      if (!poll) return;
      setVoteError(undefined);
      try {
        const voted = await client.vote(poll.id, option);
        setVotes((v) => ({ ...v, [voted.pollId]: voted.option }));
      } catch (err) {
        if (!(err instanceof VoteRefusedError)) throw err;
        setVoteError(err.message);
      }
    },
    [client, poll],
  );
  const shares = poll ? optionShares(poll, tally) : [];
  return {
    poll,
    tally,
    shares,
    total: poll?.result?.total ?? tally?.total ?? 0,
    myVote: poll ? votes[poll.id] : undefined,
    voteError,
    vote,
  };
}
