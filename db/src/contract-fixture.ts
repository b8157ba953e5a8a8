// How the contract suites get a database: one per test file (a PGlite instance takes seconds and
// ~1 GB to start; a Postgres database a CREATE DATABASE), emptied before every test so each test
// starts from nothing. Test-only; not exported from the package.

import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Database } from './database.js';
import { DbError, type DbErrorCode } from './db-error.js';
import type { Db } from './db-handle.js';
import { rawDrizzle, resetDatabase } from './testing.js';

/**
 * Bounds opening: PGlite compiles its WebAssembly and runs initdb (seconds, more on a loaded CI
 * machine); Postgres creates a database and migrates it.
 */
const OPEN_TIMEOUT_MS = 90_000;

export interface DbFixture {
  database: Database;
  /** The same database through raw drizzle, to check what is actually stored. */
  db: Db;
}

export interface OpenedDatabase {
  database: Database;
  /** Closes it and removes whatever it lives in. */
  cleanup(): Promise<void>;
}

/**
 * Registers the file's hooks and returns an accessor; call the accessor inside tests only.
 */
export function useDatabase(open: () => Promise<OpenedDatabase>): () => DbFixture {
  let opened: OpenedDatabase | undefined;
  let fixture: DbFixture | undefined;
  beforeAll(async () => {
    opened = await open();
    fixture = { database: opened.database, db: rawDrizzle(opened.database) };
  }, OPEN_TIMEOUT_MS);
  beforeEach(async () => {
    if (fixture) await resetDatabase(fixture.database);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });
  return () => {
    if (!fixture) throw new Error('the database did not open (see beforeAll)');
    return fixture;
  };
}

/** Asserts that `promise` rejects with a DbError carrying `code` (and matching `also`, if given). */
export async function expectDbError(
  promise: Promise<unknown>,
  code: DbErrorCode,
  also: { details?: Record<string, unknown> } = {},
): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(DbError);
  await expect(promise).rejects.toMatchObject({ code, ...also });
}
