// Applies the committed SQL migrations (db/migrations, written by drizzle-kit) on either driver.
//
// Why not drizzle's own migrators: they read the last applied migration and then apply the rest
// in a second step, with no lock, so two API replicas starting together against a fresh Postgres
// would both try to create the same tables and one would crash. Here the whole check-and-apply
// runs in one transaction behind a transaction-scoped advisory lock: the second replica waits,
// then sees everything applied and does nothing. The bookkeeping table and its rows are the ones
// drizzle's migrator writes (drizzle.__drizzle_migrations), so drizzle-kit tooling still agrees.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { rowsOf, type Db } from './db-handle.js';

/** The committed migrations, found relative to this package rather than the process's cwd. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Arbitrary, fixed: every Fanfare process that migrates takes this advisory lock first. */
const MIGRATION_LOCK_KEY = 0x66_616e_6661; // 'fanfa'

export interface MigrationResult {
  /** Tags (file names without .sql) applied by this call, oldest first; empty when up to date. */
  applied: string[];
}

/**
 * Brings the schema up to the newest committed migration. Idempotent: run on every open, it
 * applies only migrations newer than the last one recorded. Safe to run from many processes at
 * once. All pending migrations commit together or not at all.
 */
export async function migrate(db: Db): Promise<MigrationResult> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  const tags = readTags();
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`);
    await tx.execute(sql`
      CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (
        id SERIAL PRIMARY KEY,
        hash text NOT NULL,
        created_at bigint
      )`);
    const last = await tx.execute(
      sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
    );
    // Same rule as drizzle's migrator: a migration is pending when it is newer than the last one.
    // created_at is a bigint, which each driver returns in its own way (string, number, BigInt).
    const lastMillis = Number(
      rowsOf<{ created_at: string | number | null }>(last)[0]?.created_at ?? -1,
    );
    const applied: string[] = [];
    for (const [i, migration] of migrations.entries()) {
      if (migration.folderMillis <= lastMillis) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== '') await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at)
            VALUES (${migration.hash}, ${migration.folderMillis})`,
      );
      applied.push(tags[i] ?? String(migration.folderMillis));
    }
    return { applied };
  });
}

function readTags(): string[] {
  // readMigrationFiles drops the tags; the journal lists them in the same order.
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as {
    entries: { tag: string }[];
  };
  return journal.entries.map((e) => e.tag);
}
