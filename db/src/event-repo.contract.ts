// The behaviour EventRepo must show on every driver.

import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { expectDbError, type DbFixture } from './contract-fixture.js';
import { rowsOf } from './db-handle.js';
import { EVENT_STATES, EVENT_TRANSITIONS, type EventState } from './event-lifecycle.js';
import type { EventPatch, EventRepo } from './event-repo.js';
import { events } from './schema.js';

/** A legal path from draft to each state, so a test can put an event where it needs it. */
const PATH_TO: Record<EventState, EventState[]> = {
  draft: [],
  scheduled: ['scheduled'],
  live: ['live'],
  ended: ['live', 'ended'],
  archived: ['live', 'ended', 'archived'],
};

async function eventIn(repo: EventRepo, id: string, state: EventState) {
  let event = await repo.create({ id, title: `Event ${id}` });
  for (const next of PATH_TO[state]) event = await repo.transition(id, event.state, next);
  return event;
}

export function eventRepoContract(name: string, fixture: () => DbFixture): void {
  describe(`EventRepo contract: ${name}`, () => {
    const repo = () => fixture().database.events;

    it('creates a draft at version 1 with the documented defaults, and reads it back', async () => {
      const created = await repo().create({ id: 'cup-final', title: 'Cup final' });
      expect(created).toMatchObject({
        id: 'cup-final',
        title: 'Cup final',
        state: 'draft',
        version: 1,
        access: 'public',
        countryAllowList: null,
        chatCapPerSec: null,
        slowModeS: null,
        entitledOnlyChat: false,
        blockedTerms: [],
        pinnedMessage: null,
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await repo().get('cup-final')).toEqual(created);
      expect(await repo().get('no-such-event')).toBeUndefined();
    });

    it('refuses a second event with the same id', async () => {
      await repo().create({ id: 'dup', title: 'First' });
      await expectDbError(repo().create({ id: 'dup', title: 'Second' }), 'event_exists', {
        details: { id: 'dup' },
      });
      expect((await repo().get('dup'))?.title).toBe('First');
    });

    it('refuses ids the protocol refuses, in the repository and in the table itself', async () => {
      for (const id of ['Upper', '-lead', '', 'sp ace', 'a'.repeat(65)]) {
        await expectDbError(repo().create({ id, title: 'x' }), 'invalid_argument');
      }
      // Bypassing the repository: the CHECK constraint still holds the line.
      await expect(
        fixture().db.insert(events).values({ id: 'Not-Valid', title: 'x' }),
      ).rejects.toThrow();
      await repo().create({ id: 'a'.repeat(64), title: 'longest' });
      await repo().create({ id: '0_a-b', title: 'digits, dash, underscore' });
    });

    it('round-trips arrays and the pinned message, stored as a JSON object', async () => {
      const pinnedMessage = {
        text: 'Kick-off 20:00',
        pinnedBy: 'prod-1',
        pinnedAt: '2025-06-01T19:00:00.000Z',
      };
      const created = await repo().create({
        id: 'gala',
        title: 'Gala',
        access: 'ticketed',
        countryAllowList: ['GB', 'IE'],
        blockedTerms: ['spoiler', 'ünïcode'],
        chatCapPerSec: 50,
        slowModeS: 5,
        entitledOnlyChat: true,
        startsAt: new Date('2025-06-01T20:00:00Z'),
        pinnedMessage,
      });
      expect(await repo().get('gala')).toEqual(created);
      expect(created).toMatchObject({ countryAllowList: ['GB', 'IE'], pinnedMessage });
      expect(created.startsAt?.toISOString()).toBe('2025-06-01T20:00:00.000Z');
      // A driver that double-encodes JSON would store a string here.
      const kinds = rowsOf<{ kind: string }>(
        await fixture().db.execute(
          sql`SELECT jsonb_typeof(pinned_message) AS kind FROM events WHERE id = 'gala'`,
        ),
      );
      expect(kinds).toEqual([{ kind: 'object' }]);
    });

    it('updates at the expected version, bumping it, keeping absent fields and clearing nulls', async () => {
      const created = await repo().create({
        id: 'show',
        title: 'Show',
        slowModeS: 10,
        blockedTerms: ['x'],
      });
      const updated = await repo().update('show', { title: 'The Show', slowModeS: null }, 1);
      expect(updated).toMatchObject({
        title: 'The Show',
        slowModeS: null,
        blockedTerms: ['x'],
        version: 2,
      });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      expect(await repo().get('show')).toEqual(updated);
    });

    it('refuses an update at a stale version and leaves the event as it was', async () => {
      await repo().create({ id: 'race', title: 'Race' });
      await repo().update('race', { title: 'Won' }, 1);
      await expectDbError(repo().update('race', { title: 'Lost' }, 1), 'version_conflict', {
        details: { id: 'race', expected: 1, actual: 2 },
      });
      expect(await repo().get('race')).toMatchObject({ title: 'Won', version: 2 });
    });

    it('lets exactly one of two concurrent updates at the same version win', async () => {
      await repo().create({ id: 'cas', title: 'Start' });
      const results = await Promise.allSettled([
        repo().update('cas', { title: 'A' }, 1),
        repo().update('cas', { title: 'B' }, 1),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.reason).toMatchObject({ code: 'version_conflict' });
      expect((await repo().get('cas'))?.version).toBe(2);
    });

    it('ignores state, version and id smuggled into an update patch', async () => {
      await repo().create({ id: 'smuggle', title: 'Plain' });
      const patch = { title: 'Edited', state: 'live', version: 99, id: 'other' } as EventPatch;
      const updated = await repo().update('smuggle', patch, 1);
      expect(updated).toMatchObject({ id: 'smuggle', title: 'Edited', state: 'draft', version: 2 });
    });

    it('touches: bumps the version and nothing else, every concurrent touch counting', async () => {
      const created = await repo().create({ id: 'touched', title: 'T', slowModeS: 5 });
      const touched = await Promise.all([1, 2, 3].map(() => repo().touch('touched')));
      expect(touched.map((e) => e.version).sort()).toEqual([2, 3, 4]);
      const after = await repo().get('touched');
      expect(after).toMatchObject({ title: 'T', slowModeS: 5, state: 'draft', version: 4 });
      expect(after!.createdAt).toEqual(created.createdAt);
      await expectDbError(repo().touch('ghost'), 'event_not_found');
    });

    it('reports an update or transition of an unknown event as event_not_found', async () => {
      await expectDbError(repo().update('ghost', { title: 'x' }, 1), 'event_not_found');
      await expectDbError(repo().transition('ghost', 'draft', 'live'), 'event_not_found');
    });

    it('lists in id order, filtered by state, a page at a time', async () => {
      for (const id of ['e-c', 'e-a', 'e-d', 'e-b', 'e-e']) await repo().create({ id, title: id });
      await repo().transition('e-b', 'draft', 'live');
      await repo().transition('e-d', 'draft', 'live');

      const first = await repo().list({ limit: 2 });
      expect(first.items.map((e) => e.id)).toEqual(['e-a', 'e-b']);
      expect(first.next).toBe('e-b');
      const second = await repo().list({ limit: 2, after: first.next });
      expect(second.items.map((e) => e.id)).toEqual(['e-c', 'e-d']);
      const last = await repo().list({ limit: 2, after: second.next });
      expect(last.items.map((e) => e.id)).toEqual(['e-e']);
      expect(last.next).toBeUndefined();

      const live = await repo().list({ state: 'live' });
      expect(live.items.map((e) => e.id)).toEqual(['e-b', 'e-d']);
      expect(live.next).toBeUndefined();
      await expectDbError(repo().list({ limit: 0 }), 'invalid_argument');
    });

    it('allows every move in the lifecycle table, bumping the version each time', async () => {
      let n = 0;
      for (const from of EVENT_STATES) {
        for (const to of EVENT_TRANSITIONS[from]) {
          const id = `legal-${n++}`;
          const before = await eventIn(repo(), id, from);
          const after = await repo().transition(id, from, to, before.version);
          expect(after, `${from} -> ${to}`).toMatchObject({
            state: to,
            version: before.version + 1,
          });
        }
      }
      expect(n).toBe(6);
    });

    it('refuses moves outside the table, naming them, and leaves the event untouched', async () => {
      const illegal: [EventState, EventState][] = [
        ['draft', 'ended'],
        ['draft', 'archived'],
        ['draft', 'draft'],
        ['scheduled', 'ended'],
        ['live', 'draft'],
        ['live', 'scheduled'],
        ['ended', 'live'],
        ['archived', 'draft'],
        ['archived', 'live'],
      ];
      for (const [i, [from, to]] of illegal.entries()) {
        const id = `illegal-${i}`;
        const before = await eventIn(repo(), id, from);
        await expectDbError(repo().transition(id, from, to), 'illegal_transition', {
          details: { id, from, to },
        });
        expect(await repo().get(id)).toEqual(before);
      }
    });

    it('refuses a move from a state the event is no longer in', async () => {
      await eventIn(repo(), 'moved', 'live');
      await expectDbError(repo().transition('moved', 'draft', 'scheduled'), 'state_conflict', {
        details: { id: 'moved', expected: 'draft', actual: 'live' },
      });
      expect((await repo().get('moved'))?.state).toBe('live');
    });

    it('refuses a move at a stale version when one is given', async () => {
      await repo().create({ id: 'stale', title: 'Stale' });
      await repo().update('stale', { title: 'Edited' }, 1);
      await expectDbError(repo().transition('stale', 'draft', 'live', 1), 'version_conflict', {
        details: { expected: 1, actual: 2 },
      });
      expect(await repo().transition('stale', 'draft', 'live', 2)).toMatchObject({
        state: 'live',
        version: 3,
      });
    });
  });
}
