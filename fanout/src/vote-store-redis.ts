// Votes in Redis, per poll (one hash tag, so one Cluster slot): `meta` (open flag, option
// count and the poll's event), `voters` (user id -> option), `counts` (option -> running count) and `version`. A vote
// is one Lua script, so "at most one vote per fan" holds across every shard and API replica.
// The close recounts from `voters`, not from the running counts.

import type { Redis } from 'ioredis';
import { StateUnavailableError } from './state-unavailable.js';
import type { Tally, VoteOutcome, VoteStatus, VoteStore } from './vote-store.js';

// KEYS: meta, voters, counts, version. ARGV: userId, option, eventId. Returns {status, option}.
// A poll of another event answers as one not open: nothing counted, nothing learnt.
const VOTE = `
local meta = redis.call('HMGET', KEYS[1], 'open', 'event', 'options')
if meta[1] ~= '1' or meta[2] ~= ARGV[3] then return {'poll_closed', -1} end
local options = tonumber(meta[3])
local option = tonumber(ARGV[2])
if option == nil or option < 0 or option >= options or option % 1 ~= 0 then
  return {'invalid_option', -1}
end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
  redis.call('INCR', KEYS[4])
  return {'accepted', option}
end
local previous = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if previous == option then return {'duplicate', previous} end
return {'already_voted', previous}
`;

export class RedisVoteStore implements VoteStore {
  #redis: Redis;
  #prefix: string;

  /** `prefix` keeps deployments (and test runs) apart: keys are `<prefix>:poll:{<id>}:*`. */
  constructor(redis: Redis, prefix = 'fanfare') {
    this.#redis = redis;
    this.#prefix = `${prefix}:poll`;
  }

  async open(eventId: string, pollId: string, options: number): Promise<void> {
    const { meta } = this.#keys(pollId);
    // HSETNX: reopening never resets a poll's state, event or counts.
    await this.#call(() =>
      this.#redis
        .multi()
        .hsetnx(meta, 'options', String(options))
        .hsetnx(meta, 'event', eventId)
        .hsetnx(meta, 'open', '1')
        .exec(),
    );
  }

  async vote(
    eventId: string,
    pollId: string,
    userId: string,
    option: number,
  ): Promise<VoteOutcome> {
    const { meta, voters, counts, version } = this.#keys(pollId);
    const [status, recorded] = (await this.#call(() =>
      this.#redis.eval(VOTE, 4, meta, voters, counts, version, userId, String(option), eventId),
    )) as [VoteStatus, number];
    return recorded >= 0 ? { status, option: recorded } : { status };
  }

  async tally(pollId: string): Promise<Tally> {
    const { meta, voters, counts, version } = this.#keys(pollId);
    const results = await this.#call(() =>
      this.#redis.multi().hget(meta, 'options').hgetall(counts).get(version).hlen(voters).exec(),
    );
    const [options, byOption, v, total] = this.#values(results) as [
      string | null,
      Record<string, string>,
      string | null,
      number,
    ];
    const counts_ = new Array<number>(Number(options ?? 0)).fill(0);
    for (const [option, count] of Object.entries(byOption)) counts_[Number(option)] = Number(count);
    return { version: Number(v ?? 0), counts: counts_, total };
  }

  async close(pollId: string): Promise<Tally> {
    const { meta, voters, version } = this.#keys(pollId);
    // Closed first, then read: no vote can land between the recount and the close.
    await this.#call(() => this.#redis.hset(meta, 'open', '0'));
    const results = await this.#call(() =>
      this.#redis.multi().hget(meta, 'options').hvals(voters).get(version).exec(),
    );
    const [options, choices, v] = this.#values(results) as [string | null, string[], string | null];
    const counts = new Array<number>(Number(options ?? 0)).fill(0);
    for (const choice of choices) counts[Number(choice)]!++;
    return { version: Number(v ?? 0), counts, total: choices.length };
  }

  async discard(pollId: string): Promise<void> {
    const keys = this.#keys(pollId);
    await this.#call(() => this.#redis.del(keys.meta, keys.voters, keys.counts, keys.version));
  }

  #keys(pollId: string) {
    const base = `${this.#prefix}:{${pollId}}`;
    return {
      meta: `${base}:meta`,
      voters: `${base}:voters`,
      counts: `${base}:counts`,
      version: `${base}:version`,
    };
  }

  #values(results: [Error | null, unknown][] | null): unknown[] {
    if (!results) throw new StateUnavailableError('vote', new Error('transaction aborted'));
    return results.map(([err, value]) => {
      if (err) throw new StateUnavailableError('vote', err);
      return value;
    });
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      if (err instanceof StateUnavailableError) throw err;
      throw new StateUnavailableError('vote', err);
    }
  }
}
