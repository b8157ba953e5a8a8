// @fanfare/db: the system of record. Schema, migrations, repositories and the two drivers.
export {
  openDatabase,
  DEFAULT_POOL_MAX,
  type Database,
  type DatabaseOptions,
  type PgliteOptions,
  type PostgresOptions,
  type Repositories,
} from './database.js';
export type { Db, Driver } from './db-handle.js';
export { migrate, MIGRATIONS_DIR, type MigrationResult } from './migrate.js';
export {
  DB_ERROR_CODES,
  DbError,
  describeDbFailure,
  isDbError,
  unstorableValue,
  type DbFailureSummary,
  type DbErrorCode,
  type DbErrorDetails,
} from './db-error.js';
export {
  EVENT_STATES,
  EVENT_TRANSITIONS,
  canTransition,
  isEventState,
  type EventState,
} from './event-lifecycle.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page } from './paging.js';
export {
  CREDENTIAL_ROLES,
  EVENT_ACCESS,
  POLL_STATES,
  type CredentialRole,
  type EventAccess,
  type PinnedMessage,
  type PollState,
} from './schema.js';
export type { EventListQuery, EventPatch, EventRecord, EventRepo, NewEvent } from './event-repo.js';
export type { NewPoll, PollRecord, PollRepo } from './poll-repo.js';
export type { StoredStreamKey, StreamKeyRepo } from './stream-key-repo.js';
export type { QoeGroupTotals, QoeRepo, QoeWindowRecord, QoeWindowTotals } from './qoe-repo.js';
export type { AuditEntry, AuditListQuery, AuditLog, NewAuditEntry } from './audit-log.js';
export {
  MAX_CHAT_BATCH,
  type ArchivedChat,
  type ChatArchive,
  type ChatArchiveRow,
  type ChatCursor,
  type ChatPageQuery,
} from './chat-archive.js';
export {
  API_KEY_PREFIX,
  type CreatedCredential,
  type Credential,
  type CredentialRepo,
} from './credential-repo.js';
