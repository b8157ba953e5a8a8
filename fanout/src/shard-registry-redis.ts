// The registry in Redis: one key per shard holding its JSON state with a PX expiry (Redis ages
// dead shards out), and a sorted set of shard ids scored by expiry so `live()` reads only the
// live ones without SCAN. Two round trips per heartbeat and per read, pipelined. Capacity
// reservations are kept the same way (`r:<event>` keys and their own index), and so are the API
// replicas' shared assignments (`a:<replica>` keys, `aindex`).

import type { Redis } from 'ioredis';
import type {
  CapacityReservation,
  ReplicaAssignments,
  ShardRegistry,
  ShardState,
} from './shard-registry.js';

export class RedisShardRegistry implements ShardRegistry {
  #redis: Redis;
  #prefix: string;

  /** `prefix` keeps deployments (and test runs) apart: keys are `<prefix>:shards:*`. */
  constructor(redis: Redis, prefix = 'fanfare') {
    this.#redis = redis;
    this.#prefix = `${prefix}:shards`;
  }

  async heartbeat(state: ShardState, ttlMs: number): Promise<void> {
    await this.#hold('s', 'index', state.id, JSON.stringify(state), ttlMs);
  }

  async remove(shardId: string): Promise<void> {
    await this.#redis
      .multi()
      .del(`${this.#prefix}:s:${shardId}`)
      .zrem(`${this.#prefix}:index`, shardId)
      .exec();
  }

  async live(): Promise<ShardState[]> {
    return this.#unexpired<ShardState>('s', 'index');
  }

  async reserve(reservation: CapacityReservation, ttlMs: number): Promise<void> {
    const { eventId, fans, request } = reservation;
    const value = JSON.stringify({ eventId, fans, ...(request ? { request } : {}) });
    await this.#hold('r', 'rindex', eventId, value, ttlMs);
  }

  async reservations(): Promise<CapacityReservation[]> {
    return this.#unexpired<CapacityReservation>('r', 'rindex');
  }

  async shareAssignments(assignments: ReplicaAssignments, ttlMs: number): Promise<void> {
    const { replicaId } = assignments;
    await this.#hold('a', 'aindex', replicaId, JSON.stringify(assignments), ttlMs);
  }

  async assignments(): Promise<ReplicaAssignments[]> {
    return this.#unexpired<ReplicaAssignments>('a', 'aindex');
  }

  async close(): Promise<void> {
    // The connection belongs to the caller.
  }

  /** Holds `value` at `<prefix>:<kind>:<id>` for `ttlMs`, scored by its expiry in `index`. */
  async #hold(kind: string, index: string, id: string, value: string, ttlMs: number) {
    await this.#redis
      .multi()
      .set(`${this.#prefix}:${kind}:${id}`, value, 'PX', ttlMs)
      .zadd(`${this.#prefix}:${index}`, Date.now() + ttlMs, id)
      .exec();
  }

  /**
   * The values of `kind` not expired, in id order (each value's own id: shard, event, replica),
   * after dropping the expired ids from `index`.
   */
  async #unexpired<T>(kind: string, index: string): Promise<T[]> {
    const key = `${this.#prefix}:${index}`;
    const now = Date.now();
    const [, ids] = await Promise.all([
      this.#redis.zremrangebyscore(key, '-inf', now),
      this.#redis.zrangebyscore(key, now, '+inf'),
    ]);
    if (ids.length === 0) return [];
    ids.sort((a, b) => a.localeCompare(b));
    const values = await this.#redis.mget(ids.map((id) => `${this.#prefix}:${kind}:${id}`));
    const held: T[] = [];
    for (const value of values) if (value) held.push(JSON.parse(value) as T);
    return held;
  }
}
