// Starting PGlite with an embedded engine's memory budget. Stock PGlite starts Postgres with its
// initdb's postgresql.conf (shared_buffers 128MB, all of it written at start, so resident) and
// runs initdb in the same process, whose WebAssembly instances (~500 MB resident) stay reachable
// after it: an idle embedded engine held ~850 MB, 700 of it PGlite. Here Postgres starts with
// the smaller buffers below (passed as `-c` start parameters: the data directory's
// postgresql.conf is left as initdb wrote it), and a new data directory is created by a child
// process that exits afterwards, taking initdb's memory with it (a worker thread left ~120 MB
// behind in the allocator's arenas). Durability is PGlite's own either
// way (its data directory, flushed at close).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';

const run = promisify(execFile);

/**
 * Postgres settings PGlite starts with, name to value. shared_buffers is the one that costs
 * resident memory at idle (Postgres writes its whole buffer pool at start): 16MB instead of
 * 128MB. The embedded engine's tables are small (events, polls, credentials, a chat archive
 * appended in batches): pages past the pool come from the data directory through the OS cache.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  shared_buffers: '16MB',
  // Postgres's default for wal_buffers is 1/32 of shared_buffers; set so it does not follow
  // a larger pool if one is configured later.
  wal_buffers: '512kB',
  work_mem: '2MB',
  maintenance_work_mem: '16MB',
  temp_buffers: '2MB',
});

/** PGlite's start parameters with PGLITE_SETTINGS added. */
export function pgliteStartParams(): string[] {
  const settings = Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => [
    '-c',
    `${name}=${value}`,
  ]);
  return [...PGlite.defaultStartParams, ...settings];
}

/**
 * Opens PGlite in memory (`'memory'`) or in a data directory. A directory that holds no
 * database yet is initialised first by a child process (initdb, then closed), so that the
 * process that keeps the database never holds initdb's memory.
 */
export async function openPglite(where: 'memory' | (string & {})): Promise<PGlite> {
  const startParams = pgliteStartParams();
  if (where === 'memory') return PGlite.create({ startParams });
  if (!existsSync(join(where, 'PG_VERSION'))) await initialiseInChild(where);
  return PGlite.create(where, { startParams });
}

// The child runs this source with plain Node (CommonJS), the same under tsx, Vitest and the built
// JavaScript; it loads PGlite from the path this module resolves.
const INITDB_CHILD = `
const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2], { startParams: JSON.parse(process.argv[3]) })
  .then((pg) => pg.close())
  .catch((err) => { console.error(err?.stack ?? String(err)); process.exitCode = 1; });
`;

async function initialiseInChild(dir: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const args = ['-e', INITDB_CHILD, entry, dir, JSON.stringify(pgliteStartParams())];
  try {
    await run(process.execPath, args, { env: { ...process.env, NODE_OPTIONS: '' } });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`PGlite could not create its data directory ${dir}: ${stderr || String(err)}`, {
      cause: err,
    });
  }
}
