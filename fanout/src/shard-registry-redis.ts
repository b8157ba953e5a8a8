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
    const expiresAt = Date.now() + ttlMs;
    await this.#redis
      .multi()
      .set(this.#key(state.id), JSON.stringify(state), 'PX', ttlMs)
      .zadd(`${this.#prefix}:index`, expiresAt, state.id)
      .exec();
  }

  async remove(shardId: string): Promise<void> {
    await this.#redis.multi().del(this.#key(shardId)).zrem(`${this.#prefix}:index`, shardId).exec();
  }

  async live(): Promise<ShardState[]> {
    const index = `${this.#prefix}:index`;
    const now = Date.now();
    const [, ids] = await Promise.all([
      this.#redis.zremrangebyscore(index, '-inf', now),
      this.#redis.zrangebyscore(index, now, '+inf'),
    ]);
    if (ids.length === 0) return [];
    const values = await this.#redis.mget(ids.map((id) => this.#key(id)));
    const live: ShardState[] = [];
    for (const value of values) if (value) live.push(JSON.parse(value) as ShardState);
    return live.sort((a, b) => a.id.localeCompare(b.id));
  }

  async reserve(reservation: CapacityReservation, ttlMs: number): Promise<void> {
    const { eventId, fans, request } = reservation;
    const value = JSON.stringify({ eventId, fans, ...(request ? { request } : {}) });
    await this.#redis
      .multi()
      .set(`${this.#prefix}:r:${eventId}`, value, 'PX', ttlMs)
      .zadd(`${this.#prefix}:rindex`, Date.now() + ttlMs, eventId)
      .exec();
  }

  async reservations(): Promise<CapacityReservation[]> {
    const index = `${this.#prefix}:rindex`;
    const now = Date.now();
    const [, ids] = await Promise.all([
      this.#redis.zremrangebyscore(index, '-inf', now),
      this.#redis.zrangebyscore(index, now, '+inf'),
    ]);
    if (ids.length === 0) return [];
    const values = await this.#redis.mget(ids.map((id) => `${this.#prefix}:r:${id}`));
    const held: CapacityReservation[] = [];
    for (const value of values) if (value) held.push(JSON.parse(value) as CapacityReservation);
    return held.sort((a, b) => a.eventId.localeCompare(b.eventId));
  }

  async shareAssignments(assignments: ReplicaAssignments, ttlMs: number): Promise<void> {
    await this.#redis
      .multi()
      .set(`${this.#prefix}:a:${assignments.replicaId}`, JSON.stringify(assignments), 'PX', ttlMs)
      .zadd(`${this.#prefix}:aindex`, Date.now() + ttlMs, assignments.replicaId)
      .exec();
  }

  async assignments(): Promise<ReplicaAssignments[]> {
    const index = `${this.#prefix}:aindex`;
    const now = Date.now();
    const [, ids] = await Promise.all([
      this.#redis.zremrangebyscore(index, '-inf', now),
      this.#redis.zrangebyscore(index, now, '+inf'),
    ]);
    if (ids.length === 0) return [];
    const values = await this.#redis.mget(ids.map((id) => `${this.#prefix}:a:${id}`));
    const held: ReplicaAssignments[] = [];
    for (const value of values) if (value) held.push(JSON.parse(value) as ReplicaAssignments);
    return held.sort((a, b) => a.replicaId.localeCompare(b.replicaId));
  }

  async close(): Promise<void> {
    // The connection belongs to the caller.
  }

  #key(shardId: string): string {
    return `${this.#prefix}:s:${shardId}`;
  }
}
