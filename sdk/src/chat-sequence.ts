// The seq check of one chat batch, kept pure. An event's log numbers messages and deletions
// (tombstones) in one sequence, and a batch carries each kind in its own seq-ordered list, so
// continuity is checked over the merge of the two: a batch that mixes them is gap-free even though
// neither list is on its own.

import type { ChatMessage, Tombstone } from '@fanfare/protocol';

export interface SequencedBatch {
  /** The batch's messages not delivered yet, in seq order, up to the first gap. */
  messages: ChatMessage[];
  /** The batch's deletions not delivered yet, in seq order, up to the first gap. */
  deleted: Tombstone[];
  /** The highest seq accepted (the `last` given when the batch brought nothing new). */
  lastSeq: number;
  /** Set when a seq was skipped: what came next instead of `lastSeq + 1`. */
  gap?: { expected: number; got: number };
}

/**
 * Walks `messages` and `deleted` together in seq order from `last`: seqs at or below it are
 * repeats and skipped, `last + 1` is accepted, anything higher is a gap and stops the walk
 * (what came before the gap is still accepted).
 */
export function sequenceBatch(
  last: number,
  messages: readonly ChatMessage[],
  deleted: readonly Tombstone[] = [],
): SequencedBatch {
  const result: SequencedBatch = { messages: [], deleted: [], lastSeq: last };
  let m = 0;
  let d = 0;
  while (m < messages.length || d < deleted.length) {
    const message = messages[m];
    const tombstone = deleted[d];
    const takeMessage =
      message !== undefined && (tombstone === undefined || message.seq <= tombstone.seq);
    const seq = takeMessage ? message.seq : tombstone!.seq;
    if (takeMessage) m++;
    else d++;
    if (seq <= result.lastSeq) continue;
    if (seq > result.lastSeq + 1) {
      result.gap = { expected: result.lastSeq + 1, got: seq };
      return result;
    }
    result.lastSeq = seq;
    if (takeMessage) result.messages.push(message);
    else result.deleted.push(tombstone!);
  }
  return result;
}
