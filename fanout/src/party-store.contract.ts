// The behaviour every PartyStore must show.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PartyMemberRecord, PartyRecord, PartyStore } from './party-store.js';
import { PartyUpdateConflictError } from './party-store-update.js';

export interface PartyStoreFixture {
  store: PartyStore;
  /** A second handle on the same store (another shard; for Redis, another connection). */
  peer: PartyStore;
  cleanup(): Promise<void>;
}

const T0 = 1_800_000_000_000;

/** An online, ready member who joined at `joinedAt`: a fixture for party tests. */
export function samplePartyMember(
  userId: string,
  fields: Partial<PartyMemberRecord> = {},
): PartyMemberRecord {
  return {
    userId,
    name: `Fan ${userId}`,
    joinedAt: T0,
    readiness: 'ready',
    shardId: 'shard-1',
    offlineSince: null,
    ...fields,
  };
}

/**
 * A party at version 1 with a paused timeline, hosted by `hostId` (default `u-host`): a fixture
 * for party tests. `memberIds` (default: the host alone) become members joined one ms apart;
 * `fields` override anything, `members` included.
 */
export function samplePartyRecord(
  fields: Partial<PartyRecord> & { memberIds?: readonly string[] } = {},
): PartyRecord {
  const { memberIds, ...rest } = fields;
  const hostId = rest.hostId ?? 'u-host';
  const ids = memberIds ?? [hostId];
  return {
    id: 'party-1',
    eventId: 'ev-a',
    code: 'ABCD2345',
    hostId,
    maxSize: 50,
    members: ids.map((id, i) => samplePartyMember(id, { joinedAt: T0 + i })),
    timeline: { media: 'media-1', position: 0, rate: 1, paused: true, at: T0, version: 1 },
    gateUntil: null,
    version: 1,
    createdAt: T0,
    ...rest,
  };
}

/** `party` as the next version, with `edit` applied: what a caller passes to replace. */
function next(party: PartyRecord, edit: (p: PartyRecord) => void = () => undefined): PartyRecord {
  const copy = structuredClone(party);
  copy.version = party.version + 1;
  edit(copy);
  return copy;
}

export function partyStoreContract(name: string, create: () => Promise<PartyStoreFixture>): void {
  describe(`PartyStore contract: ${name}`, () => {
    let f: PartyStoreFixture;
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('finds nothing, and version 0, before any party is created', async () => {
      expect(await f.peer.get('ev-a', 'party-1')).toBeUndefined();
      expect(await f.peer.byCode('ev-a', 'ABCD2345')).toBeUndefined();
      expect(await f.peer.ofUser('ev-a', 'u-host')).toBeUndefined();
      expect(await f.peer.version('ev-a', 'party-1')).toBe(0);
    });

    it('creates a party and shows it, whole, by id, by code and by member to every handle', async () => {
      const party = samplePartyRecord({ memberIds: ['u-host', 'u-2', 'u-3'] });
      expect(await f.store.create(party)).toBe('created');
      expect(await f.peer.get('ev-a', 'party-1')).toEqual(party);
      expect(await f.peer.byCode('ev-a', 'ABCD2345')).toEqual(party);
      for (const userId of ['u-host', 'u-2', 'u-3'])
        expect(await f.peer.ofUser('ev-a', userId)).toBe('party-1');
      expect(await f.peer.ofUser('ev-a', 'u-outsider')).toBeUndefined();
      expect(await f.peer.version('ev-a', 'party-1')).toBe(1);
    });

    it('answers code_taken for a code in use and stores nothing of the second party', async () => {
      await f.store.create(samplePartyRecord());
      const clash = samplePartyRecord({
        id: 'party-2',
        hostId: 'u-other',
        memberIds: ['u-other', 'u-host'],
      });
      expect(await f.peer.create(clash)).toBe('code_taken');
      expect(await f.store.get('ev-a', 'party-2')).toBeUndefined();
      expect(await f.store.version('ev-a', 'party-2')).toBe(0);
      expect(await f.store.ofUser('ev-a', 'u-other')).toBeUndefined();
      expect(await f.store.ofUser('ev-a', 'u-host')).toBe('party-1');
      expect(await f.store.byCode('ev-a', 'ABCD2345')).toEqual(samplePartyRecord());
    });

    it('replaces at the stored version and bumps it', async () => {
      const party = samplePartyRecord();
      await f.store.create(party);
      const v2 = next(party, (p) => (p.timeline = { ...p.timeline, paused: false, version: 2 }));
      expect(await f.peer.replace(v2, 1)).toBe(true);
      expect(await f.store.get('ev-a', 'party-1')).toEqual(v2);
      expect(await f.store.byCode('ev-a', 'ABCD2345')).toEqual(v2);
      expect(await f.store.version('ev-a', 'party-1')).toBe(2);
      const v3 = next(v2, (p) => (p.gateUntil = T0 + 30_000));
      expect(await f.store.replace(v3, 2)).toBe(true);
      expect(await f.peer.get('ev-a', 'party-1')).toEqual(v3);
    });

    it('refuses a replace at a stale version and changes nothing, index included', async () => {
      const party = samplePartyRecord();
      await f.store.create(party);
      const v2 = next(party, (p) => (p.maxSize = 10));
      await f.store.replace(v2, 1);
      const stale = next(party, (p) => {
        p.maxSize = 3;
        p.members.push(samplePartyMember('u-late'));
      });
      expect(await f.peer.replace(stale, 1, { joined: ['u-late'], left: ['u-host'] })).toBe(false);
      expect(await f.store.get('ev-a', 'party-1')).toEqual(v2);
      expect(await f.store.version('ev-a', 'party-1')).toBe(2);
      expect(await f.store.ofUser('ev-a', 'u-late')).toBeUndefined();
      expect(await f.store.ofUser('ev-a', 'u-host')).toBe('party-1');
    });

    it('refuses a replace of a party that does not exist, whatever the version', async () => {
      const ghost = samplePartyRecord({ id: 'party-ghost' });
      expect(await f.store.replace(ghost, 0, { joined: ['u-host'] })).toBe(false);
      expect(await f.store.replace(next(ghost), 1, { joined: ['u-host'] })).toBe(false);
      expect(await f.store.get('ev-a', 'party-ghost')).toBeUndefined();
      expect(await f.store.version('ev-a', 'party-ghost')).toBe(0);
      expect(await f.store.ofUser('ev-a', 'u-host')).toBeUndefined();
    });

    it('indexes users who join and forgets users who leave', async () => {
      const party = samplePartyRecord({ memberIds: ['u-host', 'u-2'] });
      await f.store.create(party);
      const v2 = next(party, (p) => {
        p.members = p.members.filter((m) => m.userId !== 'u-2');
        p.members.push(samplePartyMember('u-3'), samplePartyMember('u-4'));
      });
      expect(await f.store.replace(v2, 1, { joined: ['u-3', 'u-4'], left: ['u-2'] })).toBe(true);
      expect(await f.peer.ofUser('ev-a', 'u-2')).toBeUndefined();
      expect(await f.peer.ofUser('ev-a', 'u-3')).toBe('party-1');
      expect(await f.peer.ofUser('ev-a', 'u-4')).toBe('party-1');
      expect(await f.peer.ofUser('ev-a', 'u-host')).toBe('party-1');
      // A replace without a change leaves the index alone.
      expect(await f.store.replace(next(v2), 2)).toBe(true);
      expect(await f.peer.ofUser('ev-a', 'u-3')).toBe('party-1');
      expect(await f.peer.ofUser('ev-a', 'u-2')).toBeUndefined();
    });

    it('keeps the pointer of a leaving user who already points at another party', async () => {
      const first = samplePartyRecord({ memberIds: ['u-host', 'u-mover'] });
      await f.store.create(first);
      // u-mover joins a second party before the first records the leave.
      const second = samplePartyRecord({ id: 'party-2', code: 'WXYZ6789', hostId: 'u-mover' });
      await f.store.create(second);
      expect(await f.store.ofUser('ev-a', 'u-mover')).toBe('party-2');
      const v2 = next(first, (p) => (p.members = p.members.filter((m) => m.userId !== 'u-mover')));
      expect(await f.store.replace(v2, 1, { left: ['u-mover'] })).toBe(true);
      expect(await f.peer.ofUser('ev-a', 'u-mover')).toBe('party-2');
    });

    it('refuses a remove at a stale version and keeps the party', async () => {
      const party = samplePartyRecord();
      await f.store.create(party);
      await f.store.replace(next(party), 1);
      expect(await f.peer.remove('ev-a', 'party-1', 1)).toBe(false);
      expect(await f.store.remove('ev-a', 'party-never', 0)).toBe(false);
      expect(await f.store.version('ev-a', 'party-1')).toBe(2);
      expect(await f.store.byCode('ev-a', 'ABCD2345')).toEqual(next(party));
      expect(await f.store.ofUser('ev-a', 'u-host')).toBe('party-1');
    });

    it('removes at the stored version: document, code and member pointers go', async () => {
      const party = samplePartyRecord({ memberIds: ['u-host', 'u-2', 'u-elsewhere'] });
      await f.store.create(party);
      await f.store.create(
        samplePartyRecord({ id: 'party-2', code: 'WXYZ6789', hostId: 'u-elsewhere' }),
      );
      expect(await f.peer.remove('ev-a', 'party-1', 1)).toBe(true);
      expect(await f.store.get('ev-a', 'party-1')).toBeUndefined();
      expect(await f.store.version('ev-a', 'party-1')).toBe(0);
      expect(await f.store.byCode('ev-a', 'ABCD2345')).toBeUndefined();
      expect(await f.store.ofUser('ev-a', 'u-host')).toBeUndefined();
      expect(await f.store.ofUser('ev-a', 'u-2')).toBeUndefined();
      // A member whose pointer moved to another party keeps it.
      expect(await f.store.ofUser('ev-a', 'u-elsewhere')).toBe('party-2');
      // The code is free again.
      expect(await f.store.create(samplePartyRecord({ id: 'party-3' }))).toBe('created');
    });

    it('keeps events apart: the same party id, code and user in two events', async () => {
      const a = samplePartyRecord({ eventId: 'ev-a', memberIds: ['u-host', 'u-2'] });
      const b = samplePartyRecord({ eventId: 'ev-b', maxSize: 7 });
      expect(await f.store.create(a)).toBe('created');
      expect(await f.store.create(b)).toBe('created');
      expect(await f.peer.get('ev-b', 'party-1')).toEqual(b);
      expect(await f.peer.byCode('ev-b', 'ABCD2345')).toEqual(b);
      expect(await f.peer.ofUser('ev-b', 'u-2')).toBeUndefined();
      expect(await f.store.replace(next(b), 1)).toBe(true);
      expect(await f.peer.version('ev-a', 'party-1')).toBe(1);
      expect(await f.store.remove('ev-b', 'party-1', 2)).toBe(true);
      expect(await f.peer.get('ev-a', 'party-1')).toEqual(a);
      expect(await f.peer.ofUser('ev-a', 'u-host')).toBe('party-1');
      expect(await f.peer.byCode('ev-a', 'ABCD2345')).toEqual(a);
    });

    it('returns copies: changing what was passed in or read changes nothing stored', async () => {
      const party = samplePartyRecord({ memberIds: ['u-host', 'u-2'] });
      await f.store.create(party);
      party.members.length = 0;
      party.timeline.media = 'changed after create';
      const got = await f.store.get('ev-a', 'party-1');
      got!.members[0]!.readiness = 'buffering';
      got!.timeline.position = 99;
      const byCode = await f.store.byCode('ev-a', 'ABCD2345');
      byCode!.hostId = 'u-2';
      const replacement = next(samplePartyRecord({ memberIds: ['u-host', 'u-2'] }));
      await f.store.replace(replacement, 1);
      replacement.members.pop();
      expect(await f.store.get('ev-a', 'party-1')).toEqual(
        next(samplePartyRecord({ memberIds: ['u-host', 'u-2'] })),
      );
    });

    it('lets exactly one of 20 racing replaces win at each version', async () => {
      let current = samplePartyRecord();
      await f.store.create(current);
      for (let round = 0; round < 3; round++) {
        const base = current;
        const candidates = Array.from({ length: 20 }, (_, i) =>
          next(base, (p) => (p.timeline = { ...p.timeline, position: i, version: p.version })),
        );
        const results = await Promise.all(
          candidates.map((p, i) => (i % 2 === 0 ? f.store : f.peer).replace(p, base.version)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = candidates[results.indexOf(true)]!;
        expect(await f.peer.get('ev-a', 'party-1')).toEqual(winner);
        expect(await f.store.version('ev-a', 'party-1')).toBe(base.version + 1);
        current = winner;
      }
    });
    it('updates: keeps, replaces at the next version with the index, refuses, removes', async () => {
      const party = samplePartyRecord();
      await f.store.create(party);
      const refusal = { ok: false, code: 'full' } as const;
      const keep = await f.store.update('ev-a', 'party-1', (p) => ({ ok: true, party: p }), 1);
      expect(keep).toEqual({ status: 'unchanged', party });
      const join = (p: PartyRecord) => ({
        ok: true as const,
        party: { ...p, members: [...p.members, samplePartyMember('u-2')] },
      });
      const joined = await f.peer.update('ev-a', 'party-1', join, 1);
      expect(joined).toMatchObject({ status: 'replaced', party: { version: 2 }, previous: party });
      expect(await f.store.ofUser('ev-a', 'u-2')).toBe('party-1');
      expect(await f.store.update('ev-a', 'party-1', () => refusal, 1)).toEqual({
        status: 'refused',
        refusal,
      });
      expect(await f.store.version('ev-a', 'party-1')).toBe(2);
      const gone = await f.store.update('ev-a', 'party-1', () => ({ ok: true, party: null }), 1);
      expect(gone).toMatchObject({ status: 'removed', previous: { version: 2 } });
      expect(await f.peer.ofUser('ev-a', 'u-2')).toBeUndefined();
      expect(await f.store.update('ev-a', 'party-1', join, 1)).toEqual({ status: 'not_found' });
    });

    it('lands each of 20 concurrent updates exactly once, retrying lost races', async () => {
      await f.store.create(samplePartyRecord({ maxSize: 50 }));
      const ids = Array.from({ length: 20 }, (_, i) => `u-${i}`);
      const results = await Promise.all(
        ids.map((id, i) =>
          (i % 2 === 0 ? f.store : f.peer).update(
            'ev-a',
            'party-1',
            (p) => ({ ok: true, party: { ...p, members: [...p.members, samplePartyMember(id)] } }),
            ids.length,
          ),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(ids.map(() => 'replaced'));
      const stored = await f.peer.get('ev-a', 'party-1');
      expect(stored?.version).toBe(1 + ids.length);
      expect(stored?.members.map((m) => m.userId).sort()).toEqual(['u-host', ...ids].sort());
      for (const id of ids) expect(await f.peer.ofUser('ev-a', id)).toBe('party-1');
    });

    it('gives up with PartyUpdateConflictError after maxAttempts lost races', async () => {
      await f.store.create(samplePartyRecord());
      const rivals: Promise<boolean>[] = [];
      let calls = 0;
      const update = f.store.update(
        'ev-a',
        'party-1',
        (p) => {
          calls++;
          // A rival writes while the function runs; on the same handle its write reaches the
          // store before the update's own compare-and-set, which therefore loses every time.
          rivals.push(f.store.replace(next(p), p.version));
          return { ok: true, party: { ...p, maxSize: 3 } };
        },
        3,
      );
      const err: unknown = await update.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PartyUpdateConflictError);
      expect(err).toMatchObject({ code: 'party_busy', attempts: 3 });
      expect(calls).toBe(3);
      expect(await Promise.all(rivals)).toEqual([true, true, true]);
      const stored = await f.peer.get('ev-a', 'party-1');
      expect(stored).toMatchObject({ version: 4, maxSize: 50 });
      await expect(
        f.store.update('ev-a', 'party-1', () => ({ ok: true, party: null }), 0),
      ).rejects.toThrow(RangeError);
    });
  });
}
