// The behaviour AuditLog must show on every driver.

import { describe, expect, it } from 'vitest';
import type { NewAuditEntry } from './audit-log.js';
import { expectDbError, type DbFixture } from './contract-fixture.js';

function entry(eventId: string | null, action: string, over: Partial<NewAuditEntry> = {}) {
  return { eventId, actorId: 'prod-1', actorRole: 'producer', action, ...over };
}

export function auditLogContract(name: string, fixture: () => DbFixture): void {
  describe(`AuditLog contract: ${name}`, () => {
    const audit = () => fixture().database.audit;

    it('stores an entry with an id, its details as JSON and the database clock by default', async () => {
      const before = Date.now();
      const stored = await audit().append(
        entry('final', 'chat.delete', {
          actorRole: 'moderator',
          target: 'msg-42',
          reason: 'spam',
          details: { text: 'buy now', nested: { n: 1, list: [true, null] } },
        }),
      );
      expect(stored).toMatchObject({
        eventId: 'final',
        actorId: 'prod-1',
        actorRole: 'moderator',
        action: 'chat.delete',
        target: 'msg-42',
        reason: 'spam',
        details: { text: 'buy now', nested: { n: 1, list: [true, null] } },
      });
      expect(stored.id).toBeGreaterThan(0);
      // Generous bound: the database clock may differ a little from this process's.
      expect(Math.abs(stored.at.getTime() - before)).toBeLessThan(60_000);

      const plain = await audit().append(entry('final', 'event.update'));
      expect(plain).toMatchObject({ target: null, reason: null, details: {} });
      expect(plain.id).toBeGreaterThan(stored.id);
    });

    it('keeps an explicit time', async () => {
      const at = new Date('2025-06-01T20:00:00.123Z');
      expect((await audit().append(entry('final', 'poll.close', { at }))).at).toEqual(at);
    });

    it('lists one event’s entries newest first, a page at a time, apart from others', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await audit().append(entry('final', `a.${i}`))).id);
        await audit().append(entry('other', `b.${i}`));
      }
      await audit().append(entry(null, 'credential.create'));

      const first = await audit().list('final', { limit: 2 });
      expect(first.items.map((e) => e.action)).toEqual(['a.4', 'a.3']);
      expect(first.next).toBe(ids[3]);
      const second = await audit().list('final', { limit: 2, beforeId: first.next });
      expect(second.items.map((e) => e.action)).toEqual(['a.2', 'a.1']);
      const last = await audit().list('final', { limit: 2, beforeId: second.next });
      expect(last.items.map((e) => e.action)).toEqual(['a.0']);
      expect(last.next).toBeUndefined();

      const everything = await audit().list('final');
      expect(everything.items).toHaveLength(5);
      expect(everything.next).toBeUndefined();
    });

    it('lists global entries (no event) under null', async () => {
      await audit().append(entry('final', 'event.update'));
      await audit().append(entry(null, 'credential.create', { actorRole: 'sre' }));
      await audit().append(entry(null, 'credential.revoke', { actorRole: 'sre' }));
      const global = await audit().list(null);
      expect(global.items.map((e) => e.action)).toEqual(['credential.revoke', 'credential.create']);
      expect(global.items.every((e) => e.eventId === null)).toBe(true);
    });

    it('refuses a limit outside 1..MAX_PAGE_LIMIT', async () => {
      await expectDbError(audit().list('final', { limit: 0 }), 'invalid_argument');
      await expectDbError(audit().list('final', { limit: 100_000 }), 'invalid_argument');
    });
  });
}
