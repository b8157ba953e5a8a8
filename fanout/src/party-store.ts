// The seam for watch parties: each party is one small versioned document per event, replaced
// whole with compare-and-set, plus two indexes (invite code -> party, user -> party). Parties live
// here, not on a shard, so members may sit on different shards and a party outlives the shard
// that held its host. The rules (who may join, host hand-over, the readiness gate) are the
// gateway's; the store only keeps documents consistent. Implementations: MemoryPartyStore
// (embedded) and RedisPartyStore; both run party-store.contract.ts.

import type { Readiness, Timeline } from '@fanfare/protocol';

export interface PartyMemberRecord {
  userId: string;
  name: string;
  /** ms since the Unix epoch. */
  joinedAt: number;
  readiness: Readiness;
  /** The shard the member is connected to now, or null while offline. */
  shardId: string | null;
  /** When the member went offline (ms since the Unix epoch), or null while online. */
  offlineSince: number | null;
  /** The member's recent longest round trip, ms, as its last `party.ready` said (if it did). */
  pathMs?: number;
}

export interface PartyRecord {
  id: string;
  eventId: string;
  code: string;
  hostId: string;
  maxSize: number;
  /** In join order. */
  members: PartyMemberRecord[];
  timeline: Timeline;
  /** A start waiting for members to be ready until this instant (ms), or null. */
  gateUntil: number | null;
  /** 1 at creation; every replace stores expectedVersion + 1. */
  version: number;
  createdAt: number;
}

/** Index changes that go with a replace: users who joined or left the party. */
export interface MembershipChange {
  joined?: readonly string[];
  left?: readonly string[];
}

/**
 * What an update function decides about the record it is given: `{ ok: true, party }` with the
 * same object (nothing to write), a new record (stored at the next version; its own `version` is
 * ignored) or null (remove the party); or a refusal `F`, returned as is with nothing written.
 * It must be pure: after a lost race it runs again on the newer record.
 */
export type PartyUpdateFn<F extends { ok: false }> = (
  current: PartyRecord,
) => { ok: true; party: PartyRecord | null } | F;

/** What an update did. `previous` is the record the write replaced or removed. */
export type PartyUpdateResult<F> =
  | { status: 'unchanged'; party: PartyRecord }
  | { status: 'replaced'; party: PartyRecord; previous: PartyRecord }
  | { status: 'removed'; previous: PartyRecord }
  | { status: 'refused'; refusal: F }
  | { status: 'not_found' };

/** Every method rejects with StateUnavailableError when the store cannot be reached. */
export interface PartyStore {
  /**
   * Stores a new party (its `version` must be 1) and indexes its code and its members. Resolves
   * `code_taken` (storing nothing) when the event already has a party with this code.
   */
  create(party: PartyRecord): Promise<'created' | 'code_taken'>;
  get(eventId: string, partyId: string): Promise<PartyRecord | undefined>;
  /** The party with this invite code in the event. */
  byCode(eventId: string, code: string): Promise<PartyRecord | undefined>;
  /** The id of the party the user is in, in the event. */
  ofUser(eventId: string, userId: string): Promise<string | undefined>;
  /** The stored version (0 when there is no such party): a cheap check before re-reading. */
  version(eventId: string, partyId: string): Promise<number>;
  /**
   * Stores `party` (whose `version` must be `expectedVersion + 1`) if the stored one is still at
   * `expectedVersion`, and applies `change` to the user index. Resolves false, changing
   * nothing, when someone wrote first or the party is gone.
   */
  replace(party: PartyRecord, expectedVersion: number, change?: MembershipChange): Promise<boolean>;
  /** Deletes the party, its code and its members' index entries, if still at `expectedVersion`. */
  remove(eventId: string, partyId: string, expectedVersion: number): Promise<boolean>;
  /**
   * Reads the party, applies `fn` and stores its decision with compare-and-set (replace with the
   * members' index change worked out from the two records, or remove); on a lost race reads the
   * newer record and applies `fn` again, at most `maxAttempts` reads in all. Each successful
   * write lands exactly once. Rejects with PartyUpdateConflictError when every attempt lost,
   * RangeError when `maxAttempts` is not a positive integer.
   */
  update<F extends { ok: false }>(
    eventId: string,
    partyId: string,
    fn: PartyUpdateFn<F>,
    maxAttempts: number,
  ): Promise<PartyUpdateResult<F>>;
}
