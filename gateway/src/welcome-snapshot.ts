// The welcome's snapshot, serialised once per change of the room rather than once per fan. In a
// join storm thousands of fans get the same recent chat, stage, tallies and reactions; only the
// viewer count moves with every join. So the JSON is cached in two pieces around `viewers`:
// the head (continuity, chat, epoch, lastSeq, stage, tallies) kept while the epoch, the last
// published seq and the stage and tally objects are the same ones, and the tail (reactions)
// while the reaction window's object is. Resumed fans share one per position resumed from (the
// room keeps a few, event-room.ts): the chat since `since` is the same for each of them; only a
// resume whose gap holds deletions is serialised whole, for that fan alone. The bytes equal
// `JSON.stringify(snapshot)` either way.

import type {
  ChatMessage,
  Continuity,
  PollTally,
  ReactionCounts,
  StageView,
} from '@fanfare/protocol';

/** What a snapshot of the room's latest state is made of; `chat` is read only on a change. */
export interface RoomSnapshotParts {
  continuity: Continuity;
  epoch: string;
  lastSeq: number;
  stage: StageView;
  tallies: readonly PollTally[];
  viewers: number;
  reactions: ReactionCounts;
  /** The most recent messages; called only when the cached head is stale. */
  chat: () => ChatMessage[];
}

interface HeadKey {
  continuity: Continuity;
  epoch: string;
  lastSeq: number;
  stage: StageView;
  tallies: readonly PollTally[];
}

export class WelcomeSnapshots {
  #headKey: HeadKey | undefined;
  #head = '';
  #reactions: ReactionCounts | undefined;
  #tail = '';

  /**
   * The JSON of the snapshot these parts describe. The stage, tally and reaction objects are
   * compared by identity: their owners replace them on every change and never mutate them.
   */
  encode(parts: RoomSnapshotParts): string {
    if (!this.#headFresh(parts)) {
      const { continuity, epoch, lastSeq, stage, tallies } = parts;
      const head = JSON.stringify({
        continuity,
        chat: parts.chat(),
        epoch,
        lastSeq,
        stage,
        tallies,
      });
      this.#head = `${head.slice(0, -1)},"viewers":`;
      this.#headKey = { continuity, epoch, lastSeq, stage, tallies: [...tallies] };
    }
    if (parts.reactions !== this.#reactions) {
      this.#tail = `,"reactions":${JSON.stringify(parts.reactions)}}`;
      this.#reactions = parts.reactions;
    }
    return `${this.#head}${JSON.stringify(parts.viewers)}${this.#tail}`;
  }

  #headFresh(parts: RoomSnapshotParts): boolean {
    const key = this.#headKey;
    if (
      key === undefined ||
      key.continuity !== parts.continuity ||
      key.epoch !== parts.epoch ||
      key.lastSeq !== parts.lastSeq ||
      key.stage !== parts.stage ||
      key.tallies.length !== parts.tallies.length
    ) {
      return false;
    }
    return key.tallies.every((t, i) => t === parts.tallies[i]);
  }
}
