// The behaviour of a Database as a whole on every driver: migrations and transactions.

import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DbFixture } from './contract-fixture.js';
import { rowsOf } from './db-handle.js';
import { migrate, MIGRATIONS_DIR } from './migrate.js';

const journal = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as {
  entries: { tag: string }[];
};

export function databaseContract(name: string, fixture: () => DbFixture): void {
  describe(`Database contract: ${name}`, () => {
    it('has every table after opening, with one bookkeeping row per committed migration', async () => {
      const tables = rowsOf<{ table_name: string }>(
        await fixture().db.execute(
          sql`SELECT table_name FROM information_schema.tables
              WHERE table_schema = 'public' ORDER BY table_name`,
        ),
      ).map((r) => r.table_name);
      expect(tables).toEqual([
        'api_credentials',
        'audit_log',
        'chat_archive',
        'events',
        'polls',
        'qoe_windows',
        'stream_keys',
      ]);
      const applied = rowsOf<{ n: number | string }>(
        await fixture().db.execute(
          sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
        ),
      );
      expect(Number(applied[0]?.n)).toBe(journal.entries.length);
    });

    it('migrates again as a no-op that keeps the data', async () => {
      await fixture().database.events.create({ id: 'kept', title: 'Kept' });
      expect(await migrate(fixture().db)).toEqual({ applied: [] });
      expect(await migrate(fixture().db)).toEqual({ applied: [] });
      expect((await fixture().database.events.get('kept'))?.title).toBe('Kept');
    });

    it('commits a transaction’s writes together', async () => {
      const { database } = fixture();
      await database.transaction(async (tx) => {
        await tx.events.create({ id: 'tx-ok', title: 'Together' });
        await tx.audit.append({
          eventId: 'tx-ok',
          actorId: 'p',
          actorRole: 'producer',
          action: 'event.create',
        });
      });
      expect(await database.events.get('tx-ok')).toBeDefined();
      expect((await database.audit.list('tx-ok')).items).toHaveLength(1);
    });

    it('rolls back every write of a transaction that throws, and rethrows', async () => {
      const { database } = fixture();
      await database.events.create({ id: 'tx-bad', title: 'Before' });
      const boom = new Error('boom');
      await expect(
        database.transaction(async (tx) => {
          await tx.events.update('tx-bad', { title: 'After' }, 1);
          await tx.audit.append({
            eventId: 'tx-bad',
            actorId: 'p',
            actorRole: 'producer',
            action: 'event.update',
          });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await database.events.get('tx-bad')).toMatchObject({ title: 'Before', version: 1 });
      expect((await database.audit.list('tx-bad')).items).toEqual([]);
    });

    it('answers a ping', async () => {
      await expect(fixture().database.ping()).resolves.toBeUndefined();
    });
  });
}
