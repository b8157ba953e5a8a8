// Polls: opened by a producer, then closed once with the final tally or cancelled. A poll's
// state is a small machine (open → closed | cancelled, both final), enforced by conditional
// UPDATEs so a close racing a cancel settles on exactly one of them.

import { and, asc, eq, sql } from 'drizzle-orm';
import {
  DbError,
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
  constraintName,
  sqlState,
} from './db-error.js';
import type { Db } from './db-handle.js';
import { POLLS_ONE_EXCLUSIVE_OPEN, polls } from './schema.js';

/** A poll as stored. `result` and `totalVotes` are null until it is closed. */
export type PollRecord = typeof polls.$inferSelect;

export interface NewPoll {
  id: string;
  eventId: string;
  question: string;
  /** The choices, in display order; at least two. */
  options: string[];
  /** How long it stays open, in seconds (> 0); `closesAt` is `opensAt` plus this. */
  durationS: number;
  opensAt: Date;
  /**
   * Whether it may run while other polls of the event are open. At most one open poll without
   * it per event: the database refuses a second (`poll_active`). The API also refuses one while
   * concurrent polls are open (a check before the insert).
   */
  allowConcurrent?: boolean;
  /** Actor id of the producer who opened it. */
  createdBy: string;
}

export interface PollRepo {
  /**
   * Stores an open poll. `poll_exists`, `event_not_found`, or `invalid_argument`; `poll_active`
   * when it does not allow concurrent polls and another such poll of the event is open (a
   * constraint: of two racing inserts, exactly one stands).
   */
  create(input: NewPoll): Promise<PollRecord>;
  get(id: string): Promise<PollRecord | undefined>;
  /** Every poll of an event, oldest first (an event has tens, not thousands: no paging). */
  listByEvent(eventId: string): Promise<PollRecord[]>;
  /** The event's open polls, oldest first. */
  activeForEvent(eventId: string): Promise<PollRecord[]>;
  /**
   * Every open poll of every event, soonest `closesAt` first: what a restarted API re-arms its
   * auto-close timers from. Open polls are few (a handful per live event), so no paging.
   */
  listOpen(): Promise<PollRecord[]>;
  /**
   * Closes an open poll with its final tally: `result[i]` votes for `options[i]`. `poll_not_found`,
   * `poll_not_open` (details: state) if already closed or cancelled, `invalid_argument` if the
   * counts do not line up with the options. `at` defaults to the database's clock.
   */
  close(id: string, result: number[], totalVotes: number, at?: Date): Promise<PollRecord>;
  /** Cancels an open poll (no result). `poll_not_found` or `poll_not_open`. */
  cancel(id: string, at?: Date): Promise<PollRecord>;
}

/** PollRepo on either driver. */
export class PgPollRepo implements PollRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async create(input: NewPoll): Promise<PollRecord> {
    if (input.options.length < 2) {
      throw new DbError('invalid_argument', 'a poll needs at least two options');
    }
    if (!Number.isInteger(input.durationS) || input.durationS <= 0) {
      throw new DbError('invalid_argument', 'durationS must be a positive integer', {
        details: { durationS: input.durationS },
      });
    }
    try {
      const [row] = await this.#db
        .insert(polls)
        .values({
          id: input.id,
          eventId: input.eventId,
          question: input.question,
          options: input.options,
          durationS: input.durationS,
          opensAt: input.opensAt,
          closesAt: new Date(input.opensAt.getTime() + input.durationS * 1000),
          allowConcurrent: input.allowConcurrent ?? false,
          createdBy: input.createdBy,
        })
        .returning();
      return row!;
    } catch (err) {
      const state = sqlState(err);
      if (state === PG_UNIQUE_VIOLATION && constraintName(err) === POLLS_ONE_EXCLUSIVE_OPEN) {
        throw new DbError('poll_active', undefined, {
          cause: err,
          details: { eventId: input.eventId },
        });
      }
      if (state === PG_UNIQUE_VIOLATION) {
        throw new DbError('poll_exists', undefined, { cause: err, details: { id: input.id } });
      }
      if (state === PG_FOREIGN_KEY_VIOLATION) {
        throw new DbError('event_not_found', undefined, {
          cause: err,
          details: { id: input.eventId },
        });
      }
      throw err;
    }
  }

  async get(id: string): Promise<PollRecord | undefined> {
    const [row] = await this.#db.select().from(polls).where(eq(polls.id, id));
    return row;
  }

  listByEvent(eventId: string): Promise<PollRecord[]> {
    return this.#db
      .select()
      .from(polls)
      .where(eq(polls.eventId, eventId))
      .orderBy(asc(polls.opensAt), asc(polls.id));
  }

  activeForEvent(eventId: string): Promise<PollRecord[]> {
    return this.#db
      .select()
      .from(polls)
      .where(and(eq(polls.eventId, eventId), eq(polls.state, 'open')))
      .orderBy(asc(polls.opensAt), asc(polls.id));
  }

  listOpen(): Promise<PollRecord[]> {
    return this.#db
      .select()
      .from(polls)
      .where(eq(polls.state, 'open'))
      .orderBy(asc(polls.closesAt), asc(polls.id));
  }

  async close(id: string, result: number[], totalVotes: number, at?: Date): Promise<PollRecord> {
    const counts = [...result, totalVotes];
    if (!counts.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new DbError('invalid_argument', 'vote counts must be non-negative integers');
    }
    // The option count is checked in SQL, in the same statement as the state, so no read-then-
    // write gap: a mismatch matches no row and is explained below.
    const [row] = await this.#db
      .update(polls)
      .set({ state: 'closed', result, totalVotes, closedAt: at ?? sql`now()` })
      .where(
        and(
          eq(polls.id, id),
          eq(polls.state, 'open'),
          sql`jsonb_array_length(${polls.options}) = ${result.length}`,
        ),
      )
      .returning();
    if (row) return row;
    const current = await this.#settled(id);
    throw new DbError(
      'invalid_argument',
      `result has ${result.length} counts for ${current.options.length} options`,
      { details: { id, counts: result.length, options: current.options.length } },
    );
  }

  async cancel(id: string, at?: Date): Promise<PollRecord> {
    const [row] = await this.#db
      .update(polls)
      .set({ state: 'cancelled', closedAt: at ?? sql`now()` })
      .where(and(eq(polls.id, id), eq(polls.state, 'open')))
      .returning();
    if (row) return row;
    await this.#settled(id);
    // Still open after the guarded UPDATE missed cannot happen (nothing reopens a poll); say so
    // rather than return a row that was not written.
    throw new DbError('poll_not_open', undefined, { details: { id } });
  }

  /** After a guarded UPDATE matched nothing: throws unless the poll exists and is still open. */
  async #settled(id: string): Promise<PollRecord> {
    const current = await this.get(id);
    if (!current) throw new DbError('poll_not_found', undefined, { details: { id } });
    if (current.state !== 'open') {
      throw new DbError('poll_not_open', `the poll is ${current.state}`, {
        details: { id, state: current.state },
      });
    }
    return current;
  }
}
