// Keeps the committed migrations in step with schema.ts: a schema change without a generated
// migration would work in no database, so it fails here first.

import { readFileSync } from 'node:fs';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from './migrate.js';
import * as schema from './schema.js';

describe('migrations', () => {
  it('describe schema.ts exactly (run `pnpm --filter @fanfare/db generate` if this fails)', async () => {
    const journal = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as {
      entries: { idx: number }[];
    };
    const last = journal.entries.at(-1);
    expect(last).toBeDefined();
    const snapshotFile = `${MIGRATIONS_DIR}/meta/${String(last!.idx).padStart(4, '0')}_snapshot.json`;
    const committed = JSON.parse(readFileSync(snapshotFile, 'utf8')) as Parameters<
      typeof generateMigration
    >[0];
    const current = generateDrizzleJson(schema, committed.id);
    expect(await generateMigration(committed, current)).toEqual([]);
  });
});
