// The client's copy of the event's stage and of each poll's running tally. Both are versioned
// snapshots that reach the client by more than one path (the welcome, live frames, a shard that
// lags another after a reconnect), so the rule is the same for both: keep the highest version
// seen, ignore anything older or equal. Kept for the client's life: an event has few polls.

import type { PollTally, StageView } from '@fanfare/protocol';

export class StageMirror {
  #stage: StageView | undefined;
  #tallies = new Map<string, PollTally>();

  /** The stage with the highest version seen; undefined before the first welcome. */
  get stage(): StageView | undefined {
    return this.#stage;
  }

  /** The tally of `pollId` with the highest version seen. */
  tally(pollId: string): PollTally | undefined {
    return this.#tallies.get(pollId);
  }

  /** Keeps `view` when it is newer than the one held; returns whether it did. */
  applyStage(view: StageView): boolean {
    if (this.#stage !== undefined && view.version <= this.#stage.version) return false;
    this.#stage = view;
    return true;
  }

  /**
   * Keeps `tally` (a `tally` frame's fields, or a snapshot entry) when it is newer than the one
   * held for its poll; returns the tally kept, or undefined when it was not newer.
   */
  applyTally({ pollId, version, counts, total }: PollTally): PollTally | undefined {
    const held = this.#tallies.get(pollId);
    if (held !== undefined && version <= held.version) return undefined;
    const tally: PollTally = { pollId, version, counts, total };
    this.#tallies.set(pollId, tally);
    return tally;
  }
}
