// PGlite in a data directory: the embedded mode's persistence across restarts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { migrate } from './migrate.js';
import { PGLITE_SETTINGS } from './pglite-open.js';
import { rawDrizzle, rowsOf } from './testing.js';

/** The memory settings Postgres runs with, read back from the database itself. */
async function memorySettings(database: Database): Promise<Record<string, string>> {
  const names = Object.keys(PGLITE_SETTINGS);
  const settings: Record<string, string> = {};
  for (const name of names) {
    const rows = rowsOf<Record<string, string>>(
      await rawDrizzle(database).execute(sql.raw(`SHOW ${name}`)),
    );
    settings[name] = String(rows[0]?.[name]);
  }
  return settings;
}

// Two PGlite starts on disk (initdb, then recovery) take several seconds each on a loaded
// machine; this bounds the whole test, nothing waits on a timer.
const PGLITE_DIR_TEST_TIMEOUT_MS = 90_000;

describe('PGlite in a data directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fanfare-pglite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'keeps what was written across close and reopen, migrating only once, with its memory settings',
    async () => {
      const dataDir = join(dir, 'data');
      // A new directory: initdb runs in a child process, then this process opens it.
      const first = await openDatabase({ pglite: dataDir });
      // Postgres runs with the embedded budget (shared_buffers 16MB, not initdb's 128MB).
      expect(await memorySettings(first)).toEqual(PGLITE_SETTINGS);
      await first.events.create({ id: 'kept', title: 'Survives restarts' });
      await first.chat.appendBatch([
        {
          eventId: 'kept',
          seq: 1,
          msgId: 'm1',
          authorId: 'u1',
          authorName: 'Ann',
          authorRole: 'fan',
          text: 'hello',
          ts: new Date('2025-06-01T20:00:00Z'),
        },
      ]);
      const { key } = await first.credentials.create('Desk', 'producer');
      await Promise.all([first.close(), first.close()]); // idempotent, even concurrently
      await expect(first.events.get('kept')).rejects.toThrow();

      const second = await openDatabase({ pglite: dataDir, migrate: false });
      try {
        // The bookkeeping persisted with the data: nothing left to apply.
        expect(await migrate(rawDrizzle(second))).toEqual({ applied: [] });
        expect(await second.events.get('kept')).toMatchObject({ title: 'Survives restarts' });
        expect((await second.chat.page('kept')).items.map((r) => r.text)).toEqual(['hello']);
        expect((await second.credentials.verify(key))?.name).toBe('Desk');
        expect(await memorySettings(second)).toEqual(PGLITE_SETTINGS);
      } finally {
        await second.close();
      }
    },
    PGLITE_DIR_TEST_TIMEOUT_MS,
  );
});
