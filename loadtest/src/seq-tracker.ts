// Per-fan check of the protocol's promise that a fan sees every seq once and in order. Cheap in
// the common case (one comparison); gaps are remembered so that a late arrival is told apart
// from a duplicate. Trade-off: at most MAX_TRACKED_GAPS missing seqs are remembered per fan;
// past that, a late arrival of a forgotten one is counted as a duplicate.

export const MAX_TRACKED_GAPS = 4096;

/** `next`: in order. `late`: fills an earlier gap (reordered). `duplicate`: already seen. */
export type SeqVerdict = 'next' | 'late' | 'duplicate';

export class SeqTracker {
  readonly #start: number;
  #last: number;
  #missing: Set<number> | undefined;
  #distinct = 0;

  /** `lastSeen`: the highest seq the fan already has (the welcome snapshot's `lastSeq`). */
  constructor(lastSeen: number) {
    this.#start = lastSeen;
    this.#last = lastSeen;
  }

  get last(): number {
    return this.#last;
  }

  /** Seqs above the starting point seen at least once ('next' and 'late' verdicts). */
  get distinct(): number {
    return this.#distinct;
  }

  /**
   * Seqs after the starting point up to `upTo` (the last seq the event published) never seen:
   * gaps that stayed open plus everything after the last seq seen.
   */
  lostUpTo(upTo: number): number {
    return Math.max(0, upTo - this.#start - this.#distinct);
  }

  /** Seqs skipped over and not yet arrived. */
  get missing(): number {
    return this.#missing?.size ?? 0;
  }

  observe(seq: number): SeqVerdict {
    if (seq > this.#last) {
      for (let gap = this.#last + 1; gap < seq; gap++) {
        this.#missing ??= new Set();
        if (this.#missing.size >= MAX_TRACKED_GAPS) break;
        this.#missing.add(gap);
      }
      this.#last = seq;
      this.#distinct++;
      return 'next';
    }
    if (this.#missing?.delete(seq) !== true) return 'duplicate';
    this.#distinct++;
    return 'late';
  }
}
