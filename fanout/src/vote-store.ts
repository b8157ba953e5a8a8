// The seam for poll votes: one vote per fan per poll, enforced atomically wherever the fan's shard
// is. The store counts as votes arrive (for live tallies) and recounts exactly from the voters at
// close. Implementations: MemoryVoteStore (embedded) and RedisVoteStore (one Lua script per
// vote). Both run vote-store.contract.ts.

/**
 * - `accepted`: counted now.
 * - `duplicate`: the fan already voted for this option (a retry): nothing changed.
 * - `already_voted`: the fan already voted for another option (`option` says which): refused.
 * - `poll_closed`: the poll is not open in the store (never opened, closed or cancelled), or it
 *   is a poll of another event: a fan learns nothing about other events' polls.
 * - `invalid_option`: no such option.
 */
export type VoteStatus =
  'accepted' | 'duplicate' | 'already_voted' | 'poll_closed' | 'invalid_option';

export interface VoteOutcome {
  status: VoteStatus;
  /** The option recorded for this fan (for accepted, duplicate and already_voted). */
  option?: number;
}

export interface Tally {
  /** Grows with every accepted vote: lets shards send a tally only when it changed. */
  version: number;
  /** Votes per option, by option index. */
  counts: number[];
  total: number;
}

/** Every method rejects with StateUnavailableError when the store cannot be reached. */
export interface VoteStore {
  /**
   * Starts accepting votes for a poll of event `eventId` with `options` options. Idempotent (the
   * first open's event and options stay).
   */
  open(eventId: string, pollId: string, options: number): Promise<void>;
  /**
   * Records one fan's vote, at most once per poll. `eventId` is the event of the fan's session:
   * a poll of any other event answers `poll_closed`, as an unknown poll, and counts nothing.
   */
  vote(eventId: string, pollId: string, userId: string, option: number): Promise<VoteOutcome>;
  /** The running tally (zero counts for a poll never opened). */
  tally(pollId: string): Promise<Tally>;
  /** Stops accepting votes and returns the exact recount from the recorded voters. Idempotent. */
  close(pollId: string): Promise<Tally>;
  /** Forgets a poll's votes (after its result is persisted). */
  discard(pollId: string): Promise<void>;
}
