// Parties in Redis. Every key of one event shares the hash tag `{<eventId>}`, so one event's
// parties sit in one Cluster slot and each write is one Lua script over declared keys:
//   `<prefix>:party:{<eventId>}:p:<partyId>`  hash: `version`, `body` (the PartyRecord as JSON)
//   `<prefix>:party:{<eventId>}:c:<code>`     string: party id (the invite-code index)
//   `<prefix>:party:{<eventId>}:u:<userId>`   string: party id (the user index)
// Parties of a finished event must not live forever, and nothing tells the store an event ended:
// every key carries a TTL of PARTY_TTL_S, refreshed on every write that touches the party, so a
// party lasts until a day after its last change. The trade-off: a party left untouched for a day
// is gone even if its event is still on.

import type { Redis } from 'ioredis';
import type { MembershipChange, PartyRecord, PartyStore } from './party-store.js';
import { updateParty } from './party-store-update.js';
import { RedisTurnReads } from './redis-turn-reads.js';
import { StateUnavailableError } from './state-unavailable.js';

/** Lifetime of every party key after the party's last write, seconds (24 h). */
export const PARTY_TTL_S = 24 * 60 * 60;

// KEYS: doc, code, user keys of the members. ARGV: partyId, version, body, ttl.
// Returns 1 when created, 0 when the code is taken (nothing written).
const CREATE = `
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'EX', ARGV[4]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'body', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
for i = 3, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'EX', ARGV[4]) end
return 1
`;

// KEYS: doc, code, joined users' keys, left users' keys, other members' keys.
// ARGV: expectedVersion, version, body, partyId, ttl, joined count, left count.
// Returns 1 when stored, 0 (nothing written) when the stored version differs or there is none.
const REPLACE = `
local current = redis.call('HGET', KEYS[1], 'version')
if not current or tonumber(current) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'body', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('EXPIRE', KEYS[2], ARGV[5]) end
local joinedEnd = 2 + tonumber(ARGV[6])
local leftEnd = joinedEnd + tonumber(ARGV[7])
for i = 3, joinedEnd do redis.call('SET', KEYS[i], ARGV[4], 'EX', ARGV[5]) end
for i = joinedEnd + 1, leftEnd do
  if redis.call('GET', KEYS[i]) == ARGV[4] then redis.call('DEL', KEYS[i]) end
end
for i = leftEnd + 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[4] then redis.call('EXPIRE', KEYS[i], ARGV[5]) end
end
return 1
`;

// KEYS: doc, code, members' user keys. ARGV: expectedVersion, partyId.
// Returns 1 when removed, 0 (nothing deleted) when the stored version differs or there is none.
const REMOVE = `
local current = redis.call('HGET', KEYS[1], 'version')
if not current or tonumber(current) ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[2] then redis.call('DEL', KEYS[i]) end
end
return 1
`;

export class RedisPartyStore implements PartyStore {
  /** The shared compare-and-set loop over this store's get, replace and remove. */
  readonly update: PartyStore['update'] = (eventId, partyId, fn, maxAttempts) =>
    updateParty(this, eventId, partyId, fn, maxAttempts);

  #redis: Redis;
  #prefix: string;
  /** The user index is read once per joining fan: those reads go out one MGET per turn. */
  #userReads: RedisTurnReads;

  /** `prefix` keeps deployments (and test runs) apart: keys are `<prefix>:party:{<event>}:*`. */
  constructor(redis: Redis, prefix = 'fanfare') {
    this.#redis = redis;
    this.#prefix = `${prefix}:party`;
    this.#userReads = new RedisTurnReads(redis);
  }

  async create(party: PartyRecord): Promise<'created' | 'code_taken'> {
    const { eventId } = party;
    const keys = [
      this.#docKey(eventId, party.id),
      this.#codeKey(eventId, party.code),
      ...party.members.map((m) => this.#userKey(eventId, m.userId)),
    ];
    const created = await this.#call(() =>
      this.#redis.eval(
        CREATE,
        keys.length,
        ...keys,
        party.id,
        String(party.version),
        JSON.stringify(party),
        String(PARTY_TTL_S),
      ),
    );
    return Number(created) === 1 ? 'created' : 'code_taken';
  }

  async get(eventId: string, partyId: string): Promise<PartyRecord | undefined> {
    const body = await this.#call(() => this.#redis.hget(this.#docKey(eventId, partyId), 'body'));
    return body === null ? undefined : this.#decode(eventId, partyId, body);
  }

  async byCode(eventId: string, code: string): Promise<PartyRecord | undefined> {
    // Two reads: a party removed in between reads as absent, as if removed just before.
    const partyId = await this.#call(() => this.#redis.get(this.#codeKey(eventId, code)));
    return partyId === null ? undefined : this.get(eventId, partyId);
  }

  async ofUser(eventId: string, userId: string): Promise<string | undefined> {
    const partyId = await this.#call(() =>
      this.#userReads.get(eventId, this.#userKey(eventId, userId)),
    );
    return partyId ?? undefined;
  }

  async version(eventId: string, partyId: string): Promise<number> {
    const value = await this.#call(() =>
      this.#redis.hget(this.#docKey(eventId, partyId), 'version'),
    );
    return Number(value ?? 0);
  }

  async replace(
    party: PartyRecord,
    expectedVersion: number,
    change: MembershipChange = {},
  ): Promise<boolean> {
    const { eventId } = party;
    const joined = change.joined ?? [];
    const left = change.left ?? [];
    const named = new Set([...joined, ...left]);
    // Members neither joining nor leaving get their index entry's TTL refreshed, so a party
    // that stays busy for more than PARTY_TTL_S keeps its whole index.
    const staying = party.members.map((m) => m.userId).filter((id) => !named.has(id));
    const keys = [
      this.#docKey(eventId, party.id),
      this.#codeKey(eventId, party.code),
      ...[...joined, ...left, ...staying].map((id) => this.#userKey(eventId, id)),
    ];
    const stored = await this.#call(() =>
      this.#redis.eval(
        REPLACE,
        keys.length,
        ...keys,
        String(expectedVersion),
        String(party.version),
        JSON.stringify(party),
        party.id,
        String(PARTY_TTL_S),
        String(joined.length),
        String(left.length),
      ),
    );
    return Number(stored) === 1;
  }

  async remove(eventId: string, partyId: string, expectedVersion: number): Promise<boolean> {
    // The keys to delete come from the stored body, read first so the script declares every key
    // it touches (Cluster requires it). Any write bumps the version, so if the script still finds
    // `expectedVersion`, the body read here is the one stored and the keys are the right ones.
    const party = await this.get(eventId, partyId);
    if (party?.version !== expectedVersion) return false;
    const keys = [
      this.#docKey(eventId, partyId),
      this.#codeKey(eventId, party.code),
      ...party.members.map((m) => this.#userKey(eventId, m.userId)),
    ];
    const removed = await this.#call(() =>
      this.#redis.eval(REMOVE, keys.length, ...keys, String(expectedVersion), partyId),
    );
    return Number(removed) === 1;
  }

  #decode(eventId: string, partyId: string, body: string): PartyRecord {
    try {
      return JSON.parse(body) as PartyRecord;
    } catch (err) {
      // Only this class writes the key; a body that does not parse was written by something else.
      throw new StateUnavailableError(
        'party',
        new Error(`undecodable party ${partyId} in ${eventId}`, { cause: err }),
      );
    }
  }

  #docKey(eventId: string, partyId: string): string {
    return `${this.#prefix}:{${eventId}}:p:${partyId}`;
  }

  #codeKey(eventId: string, code: string): string {
    return `${this.#prefix}:{${eventId}}:c:${code}`;
  }

  #userKey(eventId: string, userId: string): string {
    return `${this.#prefix}:{${eventId}}:u:${userId}`;
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new StateUnavailableError('party', err);
    }
  }
}
