// The behaviour PollRepo must show on every driver.

import { beforeEach, describe, expect, it } from 'vitest';
import { expectDbError, type DbFixture } from './contract-fixture.js';
import type { NewPoll } from './poll-repo.js';

const T0 = new Date('2025-06-01T20:00:00.000Z');

function poll(id: string, over: Partial<NewPoll> = {}): NewPoll {
  return {
    id,
    eventId: 'final',
    question: 'Man of the match?',
    options: ['Ann', 'Bo', 'Cy'],
    durationS: 60,
    opensAt: T0,
    createdBy: 'prod-1',
    ...over,
  };
}

export function pollRepoContract(name: string, fixture: () => DbFixture): void {
  describe(`PollRepo contract: ${name}`, () => {
    const repo = () => fixture().database.polls;
    beforeEach(async () => {
      await fixture().database.events.create({ id: 'final', title: 'Final' });
    });

    it('creates an open poll closing durationS after it opens, with no result yet', async () => {
      const created = await repo().create(poll('p1', { allowConcurrent: true }));
      expect(created).toMatchObject({
        id: 'p1',
        eventId: 'final',
        state: 'open',
        options: ['Ann', 'Bo', 'Cy'],
        durationS: 60,
        allowConcurrent: true,
        result: null,
        totalVotes: null,
        closedAt: null,
        createdBy: 'prod-1',
      });
      expect(created.opensAt.toISOString()).toBe('2025-06-01T20:00:00.000Z');
      expect(created.closesAt.toISOString()).toBe('2025-06-01T20:01:00.000Z');
      expect(await repo().get('p1')).toEqual(created);
      expect(await repo().get('nope')).toBeUndefined();
    });

    it('refuses a duplicate id, an unknown event and malformed polls', async () => {
      await repo().create(poll('p1'));
      await expectDbError(repo().create(poll('p1')), 'poll_exists');
      await expectDbError(repo().create(poll('p2', { eventId: 'ghost' })), 'event_not_found', {
        details: { id: 'ghost' },
      });
      await expectDbError(repo().create(poll('p3', { options: ['only'] })), 'invalid_argument');
      await expectDbError(repo().create(poll('p4', { durationS: 0 })), 'invalid_argument');
      expect((await repo().listByEvent('final')).map((p) => p.id)).toEqual(['p1']);
    });

    it('holds at most one open poll that does not allow others per event, even when racing', async () => {
      // Both inserts in flight at once: the database, not a read before the insert, decides.
      const results = await Promise.allSettled([
        repo().create(poll('a1')),
        repo().create(poll('a2')),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.status === 'rejected' && lost[0].reason).toMatchObject({
        name: 'DbError',
        code: 'poll_active',
      });
      expect(await repo().activeForEvent('final')).toHaveLength(1);
      // Concurrent polls still open beside it; another event is not concerned; once the open one
      // is closed, a new exclusive poll may open.
      await repo().create(poll('c1', { allowConcurrent: true }));
      await fixture().database.events.create({ id: 'other', title: 'Other' });
      await repo().create(poll('o1', { eventId: 'other' }));
      const open = (await repo().activeForEvent('final')).find((p) => !p.allowConcurrent)!;
      await repo().close(open.id, [0, 0, 0], 0);
      await expect(repo().create(poll('a3'))).resolves.toMatchObject({ state: 'open' });
    });

    it('lists an event’s polls oldest first, and only the open ones as active', async () => {
      await fixture().database.events.create({ id: 'other', title: 'Other' });
      // Several open at once: they allow concurrent polls (one exclusive poll at most is open).
      const together = { allowConcurrent: true };
      await repo().create(poll('late', { ...together, opensAt: new Date(T0.getTime() + 120_000) }));
      await repo().create(poll('early', together));
      await repo().create(poll('mid', { ...together, opensAt: new Date(T0.getTime() + 60_000) }));
      await repo().create(poll('elsewhere', { eventId: 'other' }));
      await repo().close('early', [1, 2, 3], 6);

      expect((await repo().listByEvent('final')).map((p) => p.id)).toEqual([
        'early',
        'mid',
        'late',
      ]);
      expect((await repo().activeForEvent('final')).map((p) => p.id)).toEqual(['mid', 'late']);
      expect((await repo().activeForEvent('other')).map((p) => p.id)).toEqual(['elsewhere']);
    });

    it('lists the open polls of every event, soonest closing first', async () => {
      await fixture().database.events.create({ id: 'other', title: 'Other' });
      const together = { allowConcurrent: true };
      await repo().create(poll('long', { ...together, durationS: 600 }));
      await repo().create(poll('short', { eventId: 'other', durationS: 30 }));
      await repo().create(poll('done', together));
      await repo().create(poll('dropped', together));
      await repo().close('done', [1, 0, 0], 1);
      await repo().cancel('dropped');
      expect((await repo().listOpen()).map((p) => p.id)).toEqual(['short', 'long']);
    });

    it('closes an open poll once, with its tally and closing time', async () => {
      await repo().create(poll('p1'));
      const at = new Date(T0.getTime() + 61_000);
      const closed = await repo().close('p1', [5, 0, 2], 7, at);
      expect(closed).toMatchObject({ state: 'closed', result: [5, 0, 2], totalVotes: 7 });
      expect(closed.closedAt?.toISOString()).toBe(at.toISOString());
      expect(await repo().get('p1')).toEqual(closed);

      await expectDbError(repo().close('p1', [9, 9, 9], 27), 'poll_not_open', {
        details: { id: 'p1', state: 'closed' },
      });
      await expectDbError(repo().cancel('p1'), 'poll_not_open');
      expect(await repo().get('p1')).toEqual(closed);
    });

    it('cancels an open poll without a result, after which it cannot be closed', async () => {
      await repo().create(poll('p1'));
      const cancelled = await repo().cancel('p1');
      expect(cancelled).toMatchObject({ state: 'cancelled', result: null, totalVotes: null });
      expect(cancelled.closedAt).toBeInstanceOf(Date);
      await expectDbError(repo().close('p1', [1, 1, 1], 3), 'poll_not_open', {
        details: { state: 'cancelled' },
      });
      await expectDbError(repo().cancel('p1'), 'poll_not_open');
    });

    it('refuses a tally that does not line up with the options, leaving the poll open', async () => {
      await repo().create(poll('p1'));
      await expectDbError(repo().close('p1', [1, 2], 3), 'invalid_argument', {
        details: { counts: 2, options: 3 },
      });
      await expectDbError(repo().close('p1', [1, -2, 3], 2), 'invalid_argument');
      await expectDbError(repo().close('p1', [1, 2, 3], 6.5), 'invalid_argument');
      expect((await repo().get('p1'))?.state).toBe('open');
    });

    it('reports closing or cancelling an unknown poll as poll_not_found', async () => {
      await expectDbError(repo().close('ghost', [1, 2, 3], 6), 'poll_not_found');
      await expectDbError(repo().cancel('ghost'), 'poll_not_found');
    });

    it('settles a close racing a cancel on exactly one of them', async () => {
      await repo().create(poll('p1'));
      const results = await Promise.allSettled([
        repo().close('p1', [1, 1, 1], 3),
        repo().cancel('p1'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')?.reason).toMatchObject({
        code: 'poll_not_open',
      });
    });
  });
}
