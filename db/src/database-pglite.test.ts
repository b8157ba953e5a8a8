// Every contract on PGlite in memory: the embedded mode's database, held to the same behaviour.

import { auditLogContract } from './audit-log.contract.js';
import { chatArchiveContract } from './chat-archive.contract.js';
import { useDatabase } from './contract-fixture.js';
import { credentialRepoContract } from './credential-repo.contract.js';
import { databaseContract } from './database.contract.js';
import { openDatabase } from './database.js';
import { eventRepoContract } from './event-repo.contract.js';
import { pollRepoContract } from './poll-repo.contract.js';
import { qoeRepoContract } from './qoe-repo.contract.js';
import { streamKeyRepoContract } from './stream-key-repo.contract.js';

const fixture = useDatabase(async () => {
  const database = await openDatabase({ pglite: 'memory' });
  return { database, cleanup: () => database.close() };
});

databaseContract('PGlite', fixture);
eventRepoContract('PGlite', fixture);
pollRepoContract('PGlite', fixture);
auditLogContract('PGlite', fixture);
chatArchiveContract('PGlite', fixture);
credentialRepoContract('PGlite', fixture);
streamKeyRepoContract('PGlite', fixture);
qoeRepoContract('PGlite', fixture);
