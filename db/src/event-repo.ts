// Events, the root of everything a producer runs. Every write is a compare-and-set on `version`
// (or on `state` for lifecycle moves) done in a single UPDATE ... WHERE, so two producers editing
// at once cannot overwrite each other: the loser gets a typed conflict and re-reads.

import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { DbError, PG_CHECK_VIOLATION, PG_UNIQUE_VIOLATION, sqlState } from './db-error.js';
import type { Db } from './db-handle.js';
import { canTransition, type EventState } from './event-lifecycle.js';
import { pageLimit, type Page } from './paging.js';
import { EVENT_ID_SQL_PATTERN, events, type EventAccess, type PinnedMessage } from './schema.js';

/** An event as stored. Timestamps are Dates (UTC instants); `version` starts at 1. */
export type EventRecord = typeof events.$inferSelect;

/** What a producer sets when creating an event. Every event starts in `draft`, at version 1. */
export interface NewEvent {
  /** Must match protocol's EVENT_ID_PATTERN (lowercase letters, digits, `-`, `_`; ≤ 64). */
  id: string;
  title: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
  access?: EventAccess;
  /** Null or absent: fans from any country. */
  countryAllowList?: string[] | null;
  chatCapPerSec?: number | null;
  slowModeS?: number | null;
  entitledOnlyChat?: boolean;
  blockedTerms?: string[];
  pinnedMessage?: PinnedMessage | null;
  /** WebRTC viewer seats (0: off). */
  webrtcSeats?: number;
}

/** Fields an update may change; absent fields keep their value, `null` clears a nullable one. */
export type EventPatch = Partial<Omit<NewEvent, 'id'>>;

export interface EventListQuery {
  state?: EventState;
  /** Cursor: only events whose id sorts after this one (the previous page's `next`). */
  after?: string;
  limit?: number;
}

export interface EventRepo {
  /** Stores a new draft event. `event_exists` if the id is taken; `invalid_argument` if malformed. */
  create(input: NewEvent): Promise<EventRecord>;
  get(id: string): Promise<EventRecord | undefined>;
  /** Events in id order, optionally in one state; `next` is the id cursor for the next page. */
  list(query?: EventListQuery): Promise<Page<EventRecord, string>>;
  /**
   * Applies `patch` if the event is still at `expectedVersion`, bumping the version by one.
   * `event_not_found`, or `version_conflict` (details: expected, actual) if someone wrote first.
   */
  update(id: string, patch: EventPatch, expectedVersion: number): Promise<EventRecord>;
  /**
   * Moves the event `from` → `to` if the lifecycle allows it (`illegal_transition`, checked before
   * any I/O), the event is still in `from` (`state_conflict`) and, when given, still at
   * `expectedVersion` (`version_conflict`). Bumps the version.
   */
  transition(
    id: string,
    from: EventState,
    to: EventState,
    expectedVersion?: number,
  ): Promise<EventRecord>;
  /**
   * Bumps the version without changing a field: marks a change to something that hangs off the
   * event (a poll) so the event's version orders every change to what fans see. No
   * compare-and-set: every caller's bump counts. `event_not_found`.
   */
  touch(id: string): Promise<EventRecord>;
}

const EVENT_ID_RE = new RegExp(EVENT_ID_SQL_PATTERN);

/**
 * Only the columns a producer may write. An input object that carries extra keys at runtime (a
 * request body with `state` or `version`) must not smuggle them into the INSERT or SET list.
 */
function editable(input: EventPatch): EventPatch {
  return {
    title: input.title,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    access: input.access,
    countryAllowList: input.countryAllowList,
    chatCapPerSec: input.chatCapPerSec,
    slowModeS: input.slowModeS,
    entitledOnlyChat: input.entitledOnlyChat,
    blockedTerms: input.blockedTerms,
    pinnedMessage: input.pinnedMessage,
    webrtcSeats: input.webrtcSeats,
  };
}

/** EventRepo on either driver. */
export class PgEventRepo implements EventRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async create(input: NewEvent): Promise<EventRecord> {
    if (!EVENT_ID_RE.test(input.id)) {
      throw new DbError('invalid_argument', 'event id does not match the protocol pattern', {
        details: { id: input.id },
      });
    }
    try {
      const [row] = await this.#db
        .insert(events)
        .values({ ...editable(input), id: input.id, title: input.title })
        .returning();
      return row!;
    } catch (err) {
      const state = sqlState(err);
      if (state === PG_UNIQUE_VIOLATION) {
        throw new DbError('event_exists', undefined, { cause: err, details: { id: input.id } });
      }
      if (state === PG_CHECK_VIOLATION) {
        throw new DbError('invalid_argument', undefined, { cause: err });
      }
      throw err;
    }
  }

  async get(id: string): Promise<EventRecord | undefined> {
    const [row] = await this.#db.select().from(events).where(eq(events.id, id));
    return row;
  }

  async list(query: EventListQuery = {}): Promise<Page<EventRecord, string>> {
    const limit = pageLimit(query.limit);
    const where: SQL[] = [];
    if (query.state !== undefined) where.push(eq(events.state, query.state));
    if (query.after !== undefined) where.push(gt(events.id, query.after));
    const rows = await this.#db
      .select()
      .from(events)
      .where(and(...where))
      .orderBy(asc(events.id))
      .limit(limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? items.at(-1)?.id : undefined };
  }

  async update(id: string, patch: EventPatch, expectedVersion: number): Promise<EventRecord> {
    const row = await this.#casUpdate(id, editable(patch), [eq(events.version, expectedVersion)]);
    if (row) return row;
    throw await this.#whyNot(id, { expectedVersion });
  }

  async transition(
    id: string,
    from: EventState,
    to: EventState,
    expectedVersion?: number,
  ): Promise<EventRecord> {
    if (!canTransition(from, to)) {
      throw new DbError('illegal_transition', `an event cannot move from ${from} to ${to}`, {
        details: { id, from, to },
      });
    }
    const guards = [eq(events.state, from)];
    if (expectedVersion !== undefined) guards.push(eq(events.version, expectedVersion));
    const row = await this.#casUpdate(id, { state: to }, guards);
    if (row) return row;
    throw await this.#whyNot(id, { from, expectedVersion });
  }

  async touch(id: string): Promise<EventRecord> {
    const row = await this.#casUpdate(id, {}, []);
    if (row) return row;
    throw new DbError('event_not_found', undefined, { details: { id } });
  }

  async #casUpdate(
    id: string,
    set: Partial<typeof events.$inferInsert>,
    guards: SQL[],
  ): Promise<EventRecord | undefined> {
    try {
      // drizzle leaves undefined keys out of the SET list, so absent patch fields are untouched.
      const [row] = await this.#db
        .update(events)
        .set({ ...set, version: sql`${events.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(events.id, id), ...guards))
        .returning();
      return row;
    } catch (err) {
      if (sqlState(err) === PG_CHECK_VIOLATION) {
        throw new DbError('invalid_argument', undefined, { cause: err, details: { id } });
      }
      throw err;
    }
  }

  /** Explains a compare-and-set that matched no row. Read after the fact: a best effort. */
  async #whyNot(
    id: string,
    expected: { from?: EventState; expectedVersion: number | undefined },
  ): Promise<DbError> {
    const current = await this.get(id);
    if (!current) return new DbError('event_not_found', undefined, { details: { id } });
    if (expected.from !== undefined && current.state !== expected.from) {
      return new DbError('state_conflict', `the event is ${current.state}, not ${expected.from}`, {
        details: { id, expected: expected.from, actual: current.state },
      });
    }
    return new DbError('version_conflict', undefined, {
      details: { id, expected: expected.expectedVersion ?? null, actual: current.version },
    });
  }
}
