// PGlite in a data directory: the embedded mode's persistence across restarts.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { migrate } from './migrate.js';
import { rawDrizzle } from './testing.js';

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
    'keeps what was written across close and reopen, migrating only once',
    async () => {
      const dataDir = join(dir, 'data');
      const first = await openDatabase({ pglite: dataDir });
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
      } finally {
        await second.close();
      }
    },
    PGLITE_DIR_TEST_TIMEOUT_MS,
  );
});
