// Votes in process memory: the embedded mode's store. Single-threaded, so each vote is atomic.

import type { Tally, VoteOutcome, VoteStore } from './vote-store.js';

interface Poll {
  eventId: string;
  open: boolean;
  voters: Map<string, number>;
  counts: number[];
  version: number;
}

export class MemoryVoteStore implements VoteStore {
  #polls = new Map<string, Poll>();

  async open(eventId: string, pollId: string, options: number): Promise<void> {
    if (this.#polls.has(pollId)) return;
    this.#polls.set(pollId, {
      eventId,
      open: true,
      voters: new Map(),
      counts: new Array<number>(options).fill(0),
      version: 0,
    });
  }

  async vote(
    eventId: string,
    pollId: string,
    userId: string,
    option: number,
  ): Promise<VoteOutcome> {
    const poll = this.#polls.get(pollId);
    if (!poll?.open || poll.eventId !== eventId) return { status: 'poll_closed' };
    if (!Number.isInteger(option) || option < 0 || option >= poll.counts.length) {
      return { status: 'invalid_option' };
    }
    const previous = poll.voters.get(userId);
    if (previous !== undefined) {
      return { status: previous === option ? 'duplicate' : 'already_voted', option: previous };
    }
    poll.voters.set(userId, option);
    poll.counts[option]!++;
    poll.version++;
    return { status: 'accepted', option };
  }

  async tally(pollId: string): Promise<Tally> {
    const poll = this.#polls.get(pollId);
    if (!poll) return { version: 0, counts: [], total: 0 };
    return { version: poll.version, counts: [...poll.counts], total: poll.voters.size };
  }

  async close(pollId: string): Promise<Tally> {
    const poll = this.#polls.get(pollId);
    if (!poll) return { version: 0, counts: [], total: 0 };
    poll.open = false;
    const counts = new Array<number>(poll.counts.length).fill(0);
    for (const option of poll.voters.values()) counts[option]!++;
    return { version: poll.version, counts, total: poll.voters.size };
  }

  async discard(pollId: string): Promise<void> {
    this.#polls.delete(pollId);
  }
}
