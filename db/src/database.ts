// Opening the system of record: real Postgres through postgres.js in distributed mode, PGlite
// (Postgres compiled to WebAssembly, in memory or in a data directory) in embedded mode. Both
// run the same committed migrations and the same repositories; only the connection differs.
// Which one to use is the caller's explicit choice (from its config), not sniffed from a string.

import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { PgAuditLog, type AuditLog } from './audit-log.js';
import { PgChatArchive, type ChatArchive } from './chat-archive.js';
import { PgCredentialRepo, type CredentialRepo } from './credential-repo.js';
import { tables, type Db, type Driver } from './db-handle.js';
import { dbSpan, tracedRepo } from './db-tracing.js';
import { PgEventRepo, type EventRepo } from './event-repo.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite-open.js';
import { PgPollRepo, type PollRepo } from './poll-repo.js';
import { PgQoeRepo, type QoeRepo } from './qoe-repo.js';
import { PgStreamKeyRepo, type StreamKeyRepo } from './stream-key-repo.js';

/** Connections in the postgres.js pool when the caller does not say. */
export const DEFAULT_POOL_MAX = 10;

export interface PostgresOptions {
  /** `postgres://user:pass@host:port/db`. */
  url: string;
  /** Most pooled connections (default DEFAULT_POOL_MAX). */
  max?: number;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

export interface PgliteOptions {
  /** `'memory'` for a database that lives and dies with the process, else a data directory. */
  pglite: 'memory' | (string & {});
  migrate?: boolean;
}

export type DatabaseOptions = PostgresOptions | PgliteOptions;

/** Every repository, bound to one database or to one transaction. */
export interface Repositories {
  readonly events: EventRepo;
  readonly polls: PollRepo;
  readonly audit: AuditLog;
  readonly chat: ChatArchive;
  readonly credentials: CredentialRepo;
  readonly streamKeys: StreamKeyRepo;
  /** The shards' QoE windows, summed per event. */
  readonly qoe: QoeRepo;
}

export interface Database extends Repositories {
  readonly driver: Driver;
  /**
   * Runs `work` in one transaction with repositories bound to it: everything it writes commits
   * when it resolves and rolls back when it throws (the error is rethrown). Use it to make a
   * change and its audit entry land together. PGlite runs one transaction at a time.
   */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /** One round trip; rejects when the database cannot be reached (for /readyz). */
  ping(): Promise<void>;
  /**
   * Ends the pool (waiting for running queries) or shuts PGlite down, flushing its data
   * directory. Idempotent; any use afterwards rejects.
   */
  close(): Promise<void>;
}

/** A driver connection with no repositories yet. Internal: tests reach the raw drizzle handle. */
export interface Connection {
  readonly driver: Driver;
  readonly db: Db;
  end(): Promise<void>;
}

/**
 * Opens the database, applies pending migrations (unless `migrate: false`) and wires the repos.
 * Rejects, leaving nothing open, if the database cannot be reached or a migration fails. With
 * `migrate: false` a postgres.js pool connects lazily: call `ping()` to find out at once.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const connection = await connect(options);
  try {
    if (options.migrate !== false) await migrate(connection.db);
  } catch (err) {
    await connection.end();
    throw err;
  }
  return new SqlDatabase(connection);
}

export async function connect(options: DatabaseOptions): Promise<Connection> {
  if ('url' in options) {
    const client = postgres(options.url, {
      max: options.max ?? DEFAULT_POOL_MAX,
      // postgres.js prints NOTICEs (e.g. "schema already exists, skipping" on every migrate)
      // to the console by default; they carry nothing an operator needs.
      onnotice: () => undefined,
    });
    const db: Db = drizzlePostgres({ client, schema: tables });
    return { driver: 'postgres', db, end: () => client.end() };
  }
  const client = await openPglite(options.pglite);
  const db: Db = drizzlePglite({ client, schema: tables });
  return { driver: 'pglite', db, end: () => client.close() };
}

/** Every repository on `db`, each call a database span inside a traced request (db-tracing.ts). */
export function repositories(db: Db): Repositories {
  return {
    events: tracedRepo(new PgEventRepo(db), 'events'),
    polls: tracedRepo(new PgPollRepo(db), 'polls'),
    audit: tracedRepo(new PgAuditLog(db), 'audit'),
    chat: tracedRepo(new PgChatArchive(db), 'chat'),
    credentials: tracedRepo(new PgCredentialRepo(db), 'credentials'),
    streamKeys: tracedRepo(new PgStreamKeyRepo(db), 'streamKeys'),
    qoe: tracedRepo(new PgQoeRepo(db), 'qoe'),
  };
}

/** A Database over either driver. */
export class SqlDatabase implements Database {
  readonly driver: Driver;
  readonly events: EventRepo;
  readonly polls: PollRepo;
  readonly audit: AuditLog;
  readonly chat: ChatArchive;
  readonly credentials: CredentialRepo;
  readonly streamKeys: StreamKeyRepo;
  readonly qoe: QoeRepo;
  readonly #connection: Connection;
  #closing: Promise<void> | undefined;

  constructor(connection: Connection) {
    this.#connection = connection;
    this.driver = connection.driver;
    ({
      events: this.events,
      polls: this.polls,
      audit: this.audit,
      chat: this.chat,
      credentials: this.credentials,
      streamKeys: this.streamKeys,
      qoe: this.qoe,
    } = repositories(connection.db));
  }

  /** The raw drizzle handle, for test helpers that inspect storage (see testing.ts). */
  static drizzleOf(database: SqlDatabase): Db {
    return database.#connection.db;
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return dbSpan('transaction', 'transaction', () =>
      this.#connection.db.transaction((tx) => work(repositories(tx))),
    );
  }

  async ping(): Promise<void> {
    await this.#connection.db.execute(sql`SELECT 1`);
  }

  close(): Promise<void> {
    this.#closing ??= this.#connection.end();
    return this.#closing;
  }
}
