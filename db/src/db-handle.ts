// The one drizzle type every repository is written against. postgres.js and PGlite databases,
// and transactions on either, are all PgDatabase over the same tables, so a repository neither
// knows nor cares which driver (or which transaction) it runs on.

import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import {
  apiCredentials,
  auditLog,
  chatArchive,
  events,
  polls,
  qoeWindows,
  streamKeys,
} from './schema.js';

/** The tables handed to drizzle (enables `db.query.<table>` relational reads). */
export const tables = {
  events,
  polls,
  auditLog,
  chatArchive,
  apiCredentials,
  streamKeys,
  qoeWindows,
};
export type Tables = typeof tables;

/** A drizzle database or transaction on either driver. */
export type Db = PgDatabase<PgQueryResultHKT, Tables>;

/** Which driver a Database runs on: real Postgres (distributed) or PGlite (embedded). */
export type Driver = 'postgres' | 'pglite';

/**
 * The rows of a raw `db.execute(sql...)`, whichever driver ran it: postgres.js resolves to the
 * row array itself, PGlite to `{ rows }`. The query builder hides this; raw SQL does not.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
