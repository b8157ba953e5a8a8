// Coalesces string reads made in one event-loop turn into one MGET per group. A join storm asks
// the party index once per fan that joins (RedisPartyStore.ofUser); one GET each cost a command
// object, a socket write and a reply parse per fan, the largest share of a join's JavaScript
// after the token check in the shard's profile. Reads queued in one turn go out together from
// the next `setImmediate` (after the turn's I/O callbacks): one command and one write for every
// fan uWS admitted in that turn. The trade-off is that delay, well under a millisecond. Groups
// keep Redis Cluster happy: an MGET may only name keys of one slot, so callers group by hash tag.

import type { Redis } from 'ioredis';

interface PendingRead {
  key: string;
  resolve: (value: string | null) => void;
  reject: (err: unknown) => void;
}

export class RedisTurnReads {
  readonly #redis: Redis;
  #pending = new Map<string, PendingRead[]>();
  #scheduled = false;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /**
   * The value of `key` (null when absent), read with the other reads of `group` queued in this
   * turn. Every key of one group must hash to one Cluster slot. Rejects with Redis's error.
   */
  get(group: string, key: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const reads = this.#pending.get(group);
      if (reads) reads.push({ key, resolve, reject });
      else this.#pending.set(group, [{ key, resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const groups = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    for (const reads of groups.values()) {
      this.#redis.mget(reads.map((r) => r.key)).then(
        (values) => reads.forEach((r, i) => r.resolve(values[i] ?? null)),
        (err: unknown) => reads.forEach((r) => r.reject(err)),
      );
    }
  }
}
