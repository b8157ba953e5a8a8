// Seats in Redis, per event (one hash tag, one Cluster slot): `leases`, a sorted set of holders
// scored by the end of their lease, `ingest` and `egress`; and one key per webhook delivery taken
// (`SET NX PX`, gone after its TTL). A claim is one Lua script (drop ended leases,
// keep or refuse), so the budget holds across every API replica however joins interleave.

import type { Redis } from 'ioredis';
import type { IngestStatus, SeatClaim, SeatStore } from './seat-store.js';
import { StateUnavailableError } from './state-unavailable.js';

/**
 * An event's keys vanish this long after their last write, ms. Relative to Redis's clock, not to
 * the leases' (callers pass their own time): a lease longer than this is cut short by it.
 */
export const SEAT_KEY_TTL_MS = 24 * 60 * 60 * 1000;

// KEYS: leases. ARGV: holder, limit, now, until, ttl. Returns {granted 0|1, held}.
const CLAIM = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local granted = 0
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'GT', ARGV[4], ARGV[1])
  granted = 1
elseif redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
  granted = 1
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
return {granted, redis.call('ZCARD', KEYS[1])}
`;

// KEYS: ingest. ARGV: live 0|1, at. Keeps the newer report.
const SET_INGEST = `
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1')
if tonumber(ARGV[2]) >= at then
  redis.call('HSET', KEYS[1], 'live', ARGV[1], 'at', ARGV[2])
end
`;

export class RedisSeatStore implements SeatStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  /** Keys are `<prefix>:seats:{<eventId>}:*`. */
  constructor(redis: Redis, prefix = 'fanfare') {
    this.#redis = redis;
    this.#prefix = `${prefix}:seats`;
  }

  async claim(
    eventId: string,
    holder: string,
    limit: number,
    now: number,
    until: number,
  ): Promise<SeatClaim> {
    const [granted, held] = (await this.#call(() =>
      this.#redis.eval(CLAIM, 1, this.#leases(eventId), holder, limit, now, until, SEAT_KEY_TTL_MS),
    )) as [number, number];
    return { granted: granted === 1, held };
  }

  async confirm(eventId: string, holder: string, until: number): Promise<void> {
    const key = this.#leases(eventId);
    await this.#call(async () => {
      const results = await this.#redis
        .multi()
        .zadd(key, 'GT', until, holder)
        .pexpire(key, SEAT_KEY_TTL_MS)
        .exec();
      // A transaction reports each command's failure in its results rather than rejecting.
      const failed = results?.find(([err]) => err !== null);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction discarded');
    });
  }

  async release(eventId: string, holder: string): Promise<boolean> {
    return (await this.#call(() => this.#redis.zrem(this.#leases(eventId), holder))) === 1;
  }

  async releaseAll(eventId: string): Promise<void> {
    await this.#call(() => this.#redis.del(this.#leases(eventId)));
  }

  async held(eventId: string, now: number): Promise<number> {
    return this.#call(() => this.#redis.zcount(this.#leases(eventId), `(${now}`, '+inf'));
  }

  async setIngest(eventId: string, status: IngestStatus): Promise<void> {
    const key = this.#ingestKey(eventId);
    await this.#call(async () => {
      await this.#redis.eval(SET_INGEST, 1, key, status.live ? 1 : 0, status.at);
      await this.#redis.pexpire(key, SEAT_KEY_TTL_MS);
    });
  }

  async takeDelivery(id: string, now: number, until: number): Promise<boolean> {
    const ttl = Math.max(1, until - now);
    const set = await this.#call(() => this.#redis.set(this.#delivery(id), '1', 'PX', ttl, 'NX'));
    return set === 'OK';
  }

  async forgetDelivery(id: string): Promise<void> {
    await this.#call(() => this.#redis.del(this.#delivery(id)));
  }

  async reserveEgress(eventId: string, egress: string): Promise<boolean> {
    const key = this.#egressKey(eventId);
    const set = await this.#call(() => this.#redis.set(key, egress, 'PX', SEAT_KEY_TTL_MS, 'NX'));
    return set === 'OK';
  }

  async replaceEgress(eventId: string, egress: string): Promise<void> {
    const key = this.#egressKey(eventId);
    await this.#call(() => this.#redis.set(key, egress, 'PX', SEAT_KEY_TTL_MS));
  }

  async takeEgress(eventId: string): Promise<string | undefined> {
    return (await this.#call(() => this.#redis.getdel(this.#egressKey(eventId)))) ?? undefined;
  }

  async egress(eventId: string): Promise<string | undefined> {
    return (await this.#call(() => this.#redis.get(this.#egressKey(eventId)))) ?? undefined;
  }

  async ingest(eventId: string): Promise<IngestStatus | undefined> {
    const found = await this.#call(() => this.#redis.hgetall(this.#ingestKey(eventId)));
    if (found['at'] === undefined) return undefined;
    return { live: found['live'] === '1', at: Number(found['at']) };
  }

  #leases(eventId: string): string {
    return `${this.#prefix}:{${eventId}}:leases`;
  }

  #ingestKey(eventId: string): string {
    return `${this.#prefix}:{${eventId}}:ingest`;
  }

  #egressKey(eventId: string): string {
    return `${this.#prefix}:{${eventId}}:egress`;
  }

  #delivery(id: string): string {
    return `${this.#prefix}:delivery:${id}`;
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new StateUnavailableError('seat', err);
    }
  }
}
