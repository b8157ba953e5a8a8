// Test helpers (`@fanfare/db/testing`): a private database per test file on the machine's
// Postgres, and storage-level access for assertions. Missing Postgres fails the test under
// CI=true and skips it elsewhere, as fanout's Redis helpers do.

import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { SqlDatabase, type Database } from './database.js';
import type { Db } from './db-handle.js';

export { rowsOf } from './db-handle.js';

/** The server tests use: PG_URL, or the local one with trust auth. */
export function postgresUrl(): string {
  return process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * How long the probe waits to connect, s: a refused connection fails at once, so this only bounds
 * a slow answer, which under CI=true would fail the whole file as a missing server (3 s was a
 * speed check that a loaded machine, forking a backend for each of many files, could fail).
 */
const PROBE_CONNECT_TIMEOUT_S = 10;

/** Whether Postgres answers; throws under CI=true when it does not, so CI never skips. */
export async function requirePostgres(): Promise<boolean> {
  const client = postgres(postgresUrl(), {
    max: 1,
    connect_timeout: PROBE_CONNECT_TIMEOUT_S,
    onnotice: () => undefined,
  });
  try {
    await client`SELECT 1`;
    return true;
  } catch (err) {
    if (process.env.CI === 'true') {
      throw new Error(`Postgres at ${postgresUrl()} is required under CI`, { cause: err });
    }
    return false;
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  /** `fanfare_t_<random>`. */
  readonly name: string;
  /** The server's URL with this database in the path. */
  readonly url: string;
  /** Drops it, closing any connection still open on it. Idempotent. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server, so parallel test files never share tables. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `fanfare_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(postgresUrl(), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl());
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  const drop = async () => {
    const client = postgres(postgresUrl(), { max: 1, onnotice: () => undefined });
    try {
      // FORCE (Postgres 13+) ends sessions a test forgot to close instead of failing.
      await client.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  return { name, url: url.toString(), drop: () => (dropping ??= drop()) };
}

/** The drizzle handle under a Database from openDatabase, to read storage directly in tests. */
export function rawDrizzle(database: Database): Db {
  if (!(database instanceof SqlDatabase)) throw new Error('not a Database from openDatabase');
  return SqlDatabase.drizzleOf(database);
}

/** Empties every table (schema and migration bookkeeping stay), e.g. between tests. */
export async function resetDatabase(database: Database): Promise<void> {
  await rawDrizzle(database).execute(
    sql`TRUNCATE events, polls, audit_log, chat_archive, api_credentials, stream_keys, qoe_windows RESTART IDENTITY CASCADE`,
  );
}
