// Parties in process memory: the embedded mode's store. Copies in and out, so no caller can
// change what another reads; single-threaded, so each method is atomic.

import type { MembershipChange, PartyRecord, PartyStore } from './party-store.js';
import { updateParty } from './party-store-update.js';

export class MemoryPartyStore implements PartyStore {
  /** The shared compare-and-set loop over this store's get, replace and remove. */
  readonly update: PartyStore['update'] = (eventId, partyId, fn, maxAttempts) =>
    updateParty(this, eventId, partyId, fn, maxAttempts);

  #parties = new Map<string, PartyRecord>();
  #codes = new Map<string, string>();
  #users = new Map<string, string>();

  async create(party: PartyRecord): Promise<'created' | 'code_taken'> {
    const codeKey = `${party.eventId}/${party.code}`;
    if (this.#codes.has(codeKey)) return 'code_taken';
    this.#codes.set(codeKey, party.id);
    this.#parties.set(`${party.eventId}/${party.id}`, structuredClone(party));
    for (const member of party.members)
      this.#users.set(`${party.eventId}/${member.userId}`, party.id);
    return 'created';
  }

  async get(eventId: string, partyId: string): Promise<PartyRecord | undefined> {
    const party = this.#parties.get(`${eventId}/${partyId}`);
    return party === undefined ? undefined : structuredClone(party);
  }

  async byCode(eventId: string, code: string): Promise<PartyRecord | undefined> {
    const partyId = this.#codes.get(`${eventId}/${code}`);
    return partyId === undefined ? undefined : this.get(eventId, partyId);
  }

  async ofUser(eventId: string, userId: string): Promise<string | undefined> {
    return this.#users.get(`${eventId}/${userId}`);
  }

  async version(eventId: string, partyId: string): Promise<number> {
    return this.#parties.get(`${eventId}/${partyId}`)?.version ?? 0;
  }

  async replace(
    party: PartyRecord,
    expectedVersion: number,
    change: MembershipChange = {},
  ): Promise<boolean> {
    const key = `${party.eventId}/${party.id}`;
    if (this.#parties.get(key)?.version !== expectedVersion) return false;
    this.#parties.set(key, structuredClone(party));
    for (const userId of change.joined ?? [])
      this.#users.set(`${party.eventId}/${userId}`, party.id);
    for (const userId of change.left ?? []) {
      const userKey = `${party.eventId}/${userId}`;
      if (this.#users.get(userKey) === party.id) this.#users.delete(userKey);
    }
    return true;
  }

  async remove(eventId: string, partyId: string, expectedVersion: number): Promise<boolean> {
    const key = `${eventId}/${partyId}`;
    const party = this.#parties.get(key);
    if (party?.version !== expectedVersion) return false;
    this.#parties.delete(key);
    this.#codes.delete(`${eventId}/${party.code}`);
    for (const member of party.members) {
      const userKey = `${eventId}/${member.userId}`;
      if (this.#users.get(userKey) === partyId) this.#users.delete(userKey);
    }
    return true;
  }
}
