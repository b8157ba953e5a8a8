// The client's copy of the event's stage and of each poll's running tally. Both are versioned
// snapshots that reach the client by more than one path (the welcome, live frames, a shard that
// lags another after a reconnect), so the rule is the same for both: keep the highest version
// seen, ignore anything older or equal, and tell the app (`stage`, `tally`) only of what was kept.
// Kept for the client's life: an event has few polls.

import type { PollTally, Snapshot, StageView } from '@fanfare/protocol';
import type { FanfareClientEvents } from './client-events.js';

/** The events this component emits. */
export type StageEvents = Pick<FanfareClientEvents, 'stage' | 'tally'>;

type StageEmit = <K extends keyof StageEvents>(type: K, payload: FanfareClientEvents[K]) => void;

export class StageMirror {
  #emit: StageEmit;
  #stage: StageView | undefined;
  #tallies = new Map<string, PollTally>();

  constructor(emit: StageEmit) {
    this.#emit = emit;
  }

  /** The stage with the highest version seen; undefined before the first welcome. */
  get stage(): StageView | undefined {
    return this.#stage;
  }

  /** The tally of `pollId` with the highest version seen. */
  tally(pollId: string): PollTally | undefined {
    return this.#tallies.get(pollId);
  }

  /** Keeps `view` and emits `stage` when it is newer than the one held. */
  applyStage(view: StageView): void {
    if (this.#stage !== undefined && view.version <= this.#stage.version) return;
    this.#stage = view;
    this.#emit('stage', view);
  }

  /**
   * Keeps `tally` (a `tally` frame's fields, or a snapshot entry) and emits it when it is newer
   * than the one held for its poll.
   */
  applyTally({ pollId, version, counts, total }: PollTally): void {
    const held = this.#tallies.get(pollId);
    if (held !== undefined && version <= held.version) return;
    const tally: PollTally = { pollId, version, counts, total };
    this.#tallies.set(pollId, tally);
    this.#emit('tally', tally);
  }

  /**
   * Applies a welcome's stage and tallies, stopping as soon as `open()` turns false (a handler
   * closed the client); returns false when it stopped. Both default for a gateway older than
   * them, met during a rolling deploy.
   */
  applySnapshot({ stage, tallies = [] }: Snapshot, open: () => boolean): boolean {
    if (!open()) return false;
    if (stage !== undefined) this.applyStage(stage);
    for (const entry of tallies) {
      if (!open()) return false;
      this.applyTally(entry);
    }
    return open();
  }
}
