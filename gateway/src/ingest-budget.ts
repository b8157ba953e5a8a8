// An event's chat ingest cap, enforced per shard without coordination: each shard takes its
// share of the cap in proportion to the fans it holds (cap * localFans / totalViewers), refilled
// continuously. When the event is at its cap, staff and ticket holders go first: part of the
// bucket is kept back for them, so a flood of ordinary fans cannot starve moderators. The share
// follows presence (at most a second or two stale), so the cap holds to within that drift.

/**
 * Fraction of each shard's one-second bucket kept for priority senders (staff, ticket holders).
 * A fifth is enough for moderators to talk over a full room and small enough that ordinary fans
 * keep four fifths of the cap; whole tokens only, so a share under 5/s reserves nothing.
 */
export const PRIORITY_RESERVE = 0.2;

/** The least share a shard gets, messages per second, however few of the viewers it holds. */
export const MIN_SHARE_PER_SEC = 1;

/**
 * This shard's share of an event-wide cap, messages per second. `totalViewers` is the presence
 * total across shards (it includes this shard's fans; a stale lower total is read as local).
 */
export function shardShare(capPerSec: number, localFans: number, totalViewers: number): number {
  const total = Math.max(totalViewers, localFans, 1);
  return Math.max(MIN_SHARE_PER_SEC, (capPerSec * Math.max(localFans, 0)) / total);
}

/** A token bucket holding one second's share; times in ms. */
export class IngestBudget {
  #tokens: number | undefined;
  #updatedAt = 0;

  /**
   * Takes one message at `now` out of a bucket refilled at `ratePerSec` (capacity: one second's
   * worth). Returns 0 when taken, else the ms until a message of this priority would pass.
   */
  take(now: number, ratePerSec: number, priority: boolean): number {
    const capacity = Math.max(ratePerSec, 1);
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(capacity, (this.#tokens ?? capacity) + (elapsed * ratePerSec) / 1000);
    this.#updatedAt = now;
    const floor = priority ? 0 : Math.floor(capacity * PRIORITY_RESERVE);
    if (this.#tokens - 1 >= floor) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((floor + 1 - this.#tokens) * 1000) / ratePerSec));
  }
}
