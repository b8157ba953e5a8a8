// Sanctions in Redis, per event: a hash of user id -> sanction JSON, a sorted set of user ids
// scored by end time (+inf for bans until lifted) so expired entries are purged without a scan,
// and a version counter. Each change is one Lua script: the hash, the index and the version move
// together, so a reader never sees a version without its change.

import type { Redis } from 'ioredis';
import { StateUnavailableError } from './state-unavailable.js';
import { inForce, type Sanction, type SanctionSet, type SanctionStore } from './sanction-store.js';

/** Expired entries purged per change, at most: bounds the script's run time. */
const PURGE_BATCH = 500;

// KEYS: hash, ends, version. ARGV: now, userId, json, score.
const IMPOSE = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ${PURGE_BATCH})
if #expired > 0 then
  redis.call('HDEL', KEYS[1], unpack(expired))
  redis.call('ZREM', KEYS[2], unpack(expired))
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
return redis.call('INCR', KEYS[3])
`;

// KEYS: hash, ends, version. ARGV: userId. Returns {version, previous json or false}.
const LIFT = `
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return {redis.call('INCR', KEYS[3]), previous}
`;

export class RedisSanctionStore implements SanctionStore {
  #redis: Redis;
  #prefix: string;

  /** `prefix` keeps deployments (and test runs) apart: keys are `<prefix>:sanctions:<event>:*`. */
  constructor(redis: Redis, prefix = 'fanfare') {
    this.#redis = redis;
    this.#prefix = `${prefix}:sanctions`;
  }

  async impose(eventId: string, sanction: Sanction): Promise<number> {
    const score = sanction.until === null ? '+inf' : String(sanction.until);
    const version = await this.#call(() =>
      this.#redis.eval(
        IMPOSE,
        3,
        ...this.#keys(eventId),
        String(sanction.at),
        sanction.userId,
        JSON.stringify(sanction),
        score,
      ),
    );
    return Number(version);
  }

  async lift(
    eventId: string,
    userId: string,
  ): Promise<{ version: number; lifted: Sanction | undefined }> {
    const [version, previous] = (await this.#call(() =>
      this.#redis.eval(LIFT, 3, ...this.#keys(eventId), userId),
    )) as [number, string | null];
    return {
      version: Number(version),
      lifted: typeof previous === 'string' ? (JSON.parse(previous) as Sanction) : undefined,
    };
  }

  async version(eventId: string): Promise<number> {
    const value = await this.#call(() => this.#redis.get(this.#keys(eventId)[2]));
    return Number(value ?? 0);
  }

  async of(eventId: string, userId: string, now: number): Promise<Sanction | undefined> {
    const json = await this.#call(() => this.#redis.hget(this.#keys(eventId)[0], userId));
    if (json === null) return undefined;
    const sanction = JSON.parse(json) as Sanction;
    return inForce(sanction, now) ? sanction : undefined;
  }

  async active(eventId: string, now: number): Promise<SanctionSet> {
    const [hash, , version] = this.#keys(eventId);
    const results = await this.#call(() => this.#redis.multi().get(version).hgetall(hash).exec());
    const [versionResult, hashResult] = results ?? [];
    if (!versionResult || !hashResult || versionResult[0] || hashResult[0]) {
      throw new StateUnavailableError('sanction', versionResult?.[0] ?? hashResult?.[0]);
    }
    const sanctions: Sanction[] = [];
    for (const json of Object.values(hashResult[1] as Record<string, string>)) {
      const sanction = JSON.parse(json) as Sanction;
      if (inForce(sanction, now)) sanctions.push(sanction);
    }
    return { version: Number(versionResult[1] ?? 0), sanctions };
  }

  #keys(eventId: string): [hash: string, ends: string, version: string] {
    // One hash tag per event: the three keys stay in one slot under Redis Cluster.
    const base = `${this.#prefix}:{${eventId}}`;
    return [`${base}:by-user`, `${base}:ends`, `${base}:version`];
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new StateUnavailableError('sanction', err);
    }
  }
}
