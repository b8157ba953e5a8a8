// Votes on their way to the server, by ref. Unlike chat there is no order to keep and nothing to
// dedupe by key: the server counts one vote per fan per poll and answers a repeat of the same vote
// with `voted` (`duplicate: true`). So every vote is written at once, and a vote whose answer a
// dropped connection lost is simply written again after the next welcome.

import {
  POLL_ID_MAX_CHARS,
  POLL_OPTIONS_MAX,
  type ErrorFrame,
  type PollView,
  type Vote,
  type Voted,
} from '@fanfare/protocol';
import { VoteRefusedError } from './errors.js';

export interface BallotsOptions {
  /** Writes a frame to the open session; false when there is none (the next session sends it). */
  write(message: Vote): boolean;
  /** The poll as the client's stage shows it, when it does: checked before sending. */
  poll(pollId: string): PollView | undefined;
}

interface Ballot {
  readonly pollId: string;
  readonly option: number;
  resolve(voted: Voted): void;
  reject(error: Error): void;
}

export class Ballots {
  #options: BallotsOptions;
  /** Unanswered votes by ref, in cast order. */
  #pending = new Map<string, Ballot>();
  #nextRef = 1;
  #closedBy: Error | undefined;

  constructor(options: BallotsOptions) {
    this.#options = options;
  }

  /** Votes not yet answered. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Sends the vote now when a session is open, else after the next welcome. Resolves with the
   * `voted` answer; rejects with VoteRefusedError for an error answer (or the same rule checked
   * here first), or with the close error.
   */
  cast(pollId: string, option: number): Promise<Voted> {
    if (this.#closedBy) return Promise.reject(this.#closedBy);
    const refused = this.#check(pollId, option);
    if (refused) return Promise.reject(refused);
    return new Promise<Voted>((resolve, reject) => {
      const ref = `v${this.#nextRef++}`;
      this.#pending.set(ref, { pollId, option, resolve, reject });
      this.#options.write({ type: 'vote', pollId, option, ref });
    });
  }

  /** A session opened: write every unanswered vote again (the server ignores repeats). */
  sessionStarted(): void {
    for (const [ref, { pollId, option }] of this.#pending) {
      if (!this.#options.write({ type: 'vote', pollId, option, ref })) return;
    }
  }

  /** Settles the vote `voted` answers; false when it answers none. */
  handleVoted(voted: Voted): boolean {
    const ballot = this.#take(voted.ref);
    ballot?.resolve(voted);
    return ballot !== undefined;
  }

  /** Rejects the vote an error frame answers; false when it answers none. */
  handleError(frame: ErrorFrame): boolean {
    const ballot = this.#take(frame.ref);
    ballot?.reject(new VoteRefusedError(frame.code, frame.message, frame.retryAfterMs));
    return ballot !== undefined;
  }

  /** Rejects every pending vote with `error`; later votes reject with it too. Idempotent. */
  close(error: Error): void {
    if (this.#closedBy) return;
    this.#closedBy = error;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const ballot of pending) ballot.reject(error);
  }

  #take(ref: string | undefined): Ballot | undefined {
    if (ref === undefined) return undefined;
    const ballot = this.#pending.get(ref);
    this.#pending.delete(ref);
    return ballot;
  }

  /** The server's own checks, made first when the answer is already known here. */
  #check(pollId: string, option: number): VoteRefusedError | undefined {
    if (pollId.length === 0 || pollId.length > POLL_ID_MAX_CHARS) {
      return new VoteRefusedError(
        'invalid_frame',
        `pollId must be 1-${POLL_ID_MAX_CHARS} characters`,
      );
    }
    const poll = this.#options.poll(pollId);
    const options = poll?.options.length ?? POLL_OPTIONS_MAX;
    if (!Number.isInteger(option)) {
      return new VoteRefusedError('invalid_frame', 'option must be an integer');
    }
    if (option < 0 || option >= options) {
      return new VoteRefusedError(
        'invalid_option',
        `option must be an integer from 0 to ${options - 1}`,
      );
    }
    // A settled poll never reopens, so a stage that shows it settled is never stale about it.
    if (poll !== undefined && poll.state !== 'open') {
      return new VoteRefusedError('poll_closed', `poll ${pollId} is ${poll.state}`);
    }
    return undefined;
  }
}
