// The poll a fan sees: the open one (or the latest result), its running tally (at most two
// updates a second), and voting, with this fan's own vote remembered per poll.

import { useCallback, useState } from 'react';
import type { PollTally, PollView } from '@fanfare/protocol';
import { VoteRefusedError } from '@fanfare/sdk';
import { currentPoll, optionShares, type OptionShare } from './poll-view.js';
import { useFanfare } from './provider.js';
import { useClientEvent } from './use-client-event.js';
import { useStage } from './use-stage.js';

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
  const stage = useStage();
  const poll = currentPoll(stage);
  const [tallies, setTallies] = useState<Record<string, PollTally>>({});
  const [votes, setVotes] = useState<Record<string, number>>({});
  const [voteError, setVoteError] = useState<string>();
  useClientEvent('tally', (tally) => setTallies((t) => ({ ...t, [tally.pollId]: tally })));

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
