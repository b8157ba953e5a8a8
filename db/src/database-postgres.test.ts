// Every contract on real Postgres through postgres.js (distributed mode), in a database of this
// file's own, plus what only a server with many connections can show: concurrent migration.

import { describe, expect, it } from 'vitest';
import { auditLogContract } from './audit-log.contract.js';
import { chatArchiveContract } from './chat-archive.contract.js';
import { useDatabase } from './contract-fixture.js';
import { credentialRepoContract } from './credential-repo.contract.js';
import { databaseContract } from './database.contract.js';
import { connect, openDatabase } from './database.js';
import { eventRepoContract } from './event-repo.contract.js';
import { migrate } from './migrate.js';
import { pollRepoContract } from './poll-repo.contract.js';
import { qoeRepoContract } from './qoe-repo.contract.js';
import { streamKeyRepoContract } from './stream-key-repo.contract.js';
import { createTestDatabase, postgresUrl, requirePostgres } from './testing.js';

const reachable = await requirePostgres(); // throws under CI=true when it is not
const suite = reachable
  ? 'Postgres'
  : `Postgres (skipped: none reachable at ${postgresUrl()}; set PG_URL)`;

describe.skipIf(!reachable)(suite, () => {
  const fixture = useDatabase(async () => {
    const target = await createTestDatabase();
    const database = await openDatabase({ url: target.url, max: 4 });
    return {
      database,
      cleanup: async () => {
        await database.close();
        await target.drop();
      },
    };
  });

  databaseContract('Postgres', fixture);
  eventRepoContract('Postgres', fixture);
  pollRepoContract('Postgres', fixture);
  auditLogContract('Postgres', fixture);
  chatArchiveContract('Postgres', fixture);
  credentialRepoContract('Postgres', fixture);
  streamKeyRepoContract('Postgres', fixture);
  qoeRepoContract('Postgres', fixture);

  describe('Postgres migrations from many processes', () => {
    it('applies each migration once when two processes migrate a fresh database together', async () => {
      const target = await createTestDatabase();
      const a = await connect({ url: target.url, max: 2 });
      const b = await connect({ url: target.url, max: 2 });
      try {
        const results = await Promise.all([migrate(a.db), migrate(b.db)]);
        const counts = results.map((r) => r.applied.length).sort();
        // One did the work behind the lock; the other waited, then found nothing to do.
        expect(counts[0]).toBe(0);
        expect(counts[1]).toBeGreaterThan(0);
      } finally {
        await a.end();
        await b.end();
        await target.drop();
      }
    });

    it('closes idempotently, after which queries reject', async () => {
      const target = await createTestDatabase();
      try {
        const database = await openDatabase({ url: target.url, max: 1 });
        await Promise.all([database.close(), database.close()]);
        await database.close();
        await expect(database.events.get('any')).rejects.toThrow();
      } finally {
        await target.drop();
      }
    });
  });
});
