// The system of record's tables, as drizzle-orm declarations. This file is the source of truth:
// drizzle-kit diffs it against migrations/meta to write the next SQL migration, and the
// repositories type their queries against it. Column names are snake_case in SQL, camelCase here.
// Change it, then run `pnpm --filter @fanfare/db generate` and commit the new migration.

import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { EVENT_STATES } from './event-lifecycle.js';

import { EVENT_ACCESS, POLL_STATES, type EventAccess, type PollState } from '@fanfare/protocol';

// Shared with the protocol: fans see access and poll states in the stage.
export { EVENT_ACCESS, POLL_STATES, type EventAccess, type PollState };

/** Roles an API credential can hold (fans never hold credentials: they get tokens). */
export const CREDENTIAL_ROLES = ['producer', 'moderator', 'sre'] as const;
export type CredentialRole = (typeof CREDENTIAL_ROLES)[number];

/**
 * Mirrors protocol's EVENT_ID_PATTERN (protocol/src/limits.ts) as a SQL regex: an id the gateway
 * would refuse must not be storable. Kept as a literal because the migration SQL is generated
 * from it; if the protocol's pattern changes, change this and generate a migration.
 */
export const EVENT_ID_SQL_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';

/** A message pinned above an event's chat. Stored as jsonb; `pinnedAt` is ISO 8601. */
export interface PinnedMessage {
  /** The chat message pinned, when it is one; absent for a producer's own notice. */
  msgId?: string;
  text: string;
  authorName?: string;
  /** Actor id of whoever pinned it. */
  pinnedBy: string;
  pinnedAt: string;
}

export const eventState = pgEnum('event_state', EVENT_STATES);
export const eventAccess = pgEnum('event_access', EVENT_ACCESS);
export const pollState = pgEnum('poll_state', POLL_STATES);
export const credentialRole = pgEnum('credential_role', CREDENTIAL_ROLES);

const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    state: eventState('state').notNull().default('draft'),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }),
    access: eventAccess('access').notNull().default('public'),
    /** ISO 3166-1 alpha-2 codes; null means no restriction (an empty list would admit nobody). */
    countryAllowList: text('country_allow_list').array(),
    /** Chat messages per second across the event; null means the gateway's default. */
    chatCapPerSec: integer('chat_cap_per_sec'),
    /** Seconds a fan waits between messages; null means slow mode is off. */
    slowModeS: integer('slow_mode_s'),
    entitledOnlyChat: boolean('entitled_only_chat').notNull().default(false),
    blockedTerms: text('blocked_terms').array().notNull().default([]),
    pinnedMessage: jsonb('pinned_message').$type<PinnedMessage>(),
    /** Viewers the WebRTC (LiveKit) tier may hold at once; 0: the tier is off for this event. */
    webrtcSeats: integer('webrtc_seats').notNull().default(0),
    /** Bumped by every write; the compare-and-set token for optimistic concurrency. */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('events_state_id_idx').on(t.state, t.id),
    check('events_id_format', sql.raw(`id ~ '${EVENT_ID_SQL_PATTERN}'`)),
    check('events_chat_cap_positive', sql`${t.chatCapPerSec} IS NULL OR ${t.chatCapPerSec} > 0`),
    check('events_slow_mode_positive', sql`${t.slowModeS} IS NULL OR ${t.slowModeS} > 0`),
    check('events_webrtc_seats_non_negative', sql`${t.webrtcSeats} >= 0`),
  ],
);

/** The partial unique index behind `poll_active`: one open exclusive poll per event. */
export const POLLS_ONE_EXCLUSIVE_OPEN = 'polls_one_exclusive_open';

export const polls = pgTable(
  'polls',
  {
    id: text('id').primaryKey(),
    // Cascade: a poll means nothing without its event; purging an event purges its polls.
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    question: text('question').notNull(),
    options: jsonb('options').$type<string[]>().notNull(),
    state: pollState('state').notNull().default('open'),
    durationS: integer('duration_s').notNull(),
    opensAt: timestamp('opens_at', { withTimezone: true, mode: 'date' }).notNull(),
    closesAt: timestamp('closes_at', { withTimezone: true, mode: 'date' }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
    allowConcurrent: boolean('allow_concurrent').notNull().default(false),
    /** Votes per option, index-aligned with `options`; null until the poll is closed. */
    result: jsonb('result').$type<number[]>(),
    totalVotes: integer('total_votes'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('polls_event_state_idx').on(t.eventId, t.state),
    check('polls_duration_positive', sql`${t.durationS} > 0`),
    // The one-active-poll rule as a constraint: two producers opening at the same instant
    // cannot both pass it (a read before the insert could). Polls opened with allowConcurrent
    // are outside it.
    uniqueIndex(POLLS_ONE_EXCLUSIVE_OPEN)
      .on(t.eventId)
      .where(sql`${t.state} = 'open' AND NOT ${t.allowConcurrent}`),
  ],
);

// No foreign key to events: the audit trail must outlive what it records (a purged event, a
// revoked credential), and global actions have no event at all.
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: text('event_id'),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    reason: text('reason'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_event_id_idx').on(t.eventId, t.id)],
);

// No foreign key to events either: the archiver follows the event log and must never stall a
// batch on a referential error; purging an event deletes its archive explicitly.
export const chatArchive = pgTable(
  'chat_archive',
  {
    eventId: text('event_id').notNull(),
    /** The event log's sequence number: unique and gap-free per event, the replay key. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    msgId: text('msg_id').notNull(),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    authorRole: text('author_role').notNull(),
    text: text('text').notNull(),
    ts: timestamp('ts', { withTimezone: true, mode: 'date' }).notNull(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
    deletedBy: text('deleted_by'),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.seq] }),
    // markDeleted finds a message by id; not unique because the log, not the archive, dedupes.
    index('chat_archive_msg_idx').on(t.eventId, t.msgId),
  ],
);

export const apiCredentials = pgTable(
  'api_credentials',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: credentialRole('role').notNull(),
    /** The one event this credential may act on; null means every event. */
    eventId: text('event_id').references(() => events.id, { onDelete: 'cascade' }),
    /** SHA-256 of the key, lowercase hex. The key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_credentials_key_hash_idx').on(t.keyHash)],
);

/**
 * An event's live video stream key, as its SHA-256 only (lowercase hex): what the media process
 * was handed, kept so that the API can hand it again after the media process restarted (it
 * holds keys in memory). The key itself is shown to the producer once and never stored.
 */
export const streamKeys = pgTable(
  'stream_keys',
  {
    eventId: text('event_id')
      .primaryKey()
      .references(() => events.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('stream_keys_sha256_hex', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`)],
);

/**
 * QoE as the shards counted it: one row per shard, window (QOE_WINDOW_MS, aligned), tier and
 * country, written once (a window delivered twice is kept once). The API sums rows across shards
 * and windows when it answers an event's QoE; times in ms, `vst_buckets` as in QoeCounts.
 */
export const qoeWindows = pgTable(
  'qoe_windows',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    windowMs: integer('window_ms').notNull(),
    shardId: text('shard_id').notNull(),
    tier: text('tier').notNull(),
    country: text('country').notNull(),
    starts: integer('starts').notNull(),
    vstBuckets: integer('vst_buckets').array().notNull(),
    vstSumMs: bigint('vst_sum_ms', { mode: 'number' }).notNull(),
    watchMs: bigint('watch_ms', { mode: 'number' }).notNull(),
    rebuffers: integer('rebuffers').notNull(),
    rebufferMs: bigint('rebuffer_ms', { mode: 'number' }).notNull(),
    exitsBeforeStart: integer('exits_before_start').notNull(),
    failures: integer('failures').notNull(),
    fallbacks: integer('fallbacks').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.windowStart, t.shardId, t.tier, t.country] }),
    check('qoe_windows_tier', sql`${t.tier} in ('ll-hls', 'webrtc')`),
    check('qoe_windows_country', sql`${t.country} ~ '^([A-Z]{2}|unknown)$'`),
  ],
);
