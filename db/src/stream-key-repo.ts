// Stream keys of events' live video, kept as their SHA-256 so the API can restore them to a
// media process that restarted (it holds keys in memory only). Nothing here ever sees a key.

import { asc, eq, ne, sql } from 'drizzle-orm';
import { DbError, PG_CHECK_VIOLATION, PG_FOREIGN_KEY_VIOLATION, sqlState } from './db-error.js';
import type { Db } from './db-handle.js';
import { events, streamKeys } from './schema.js';

export interface StoredStreamKey {
  eventId: string;
  /** SHA-256 of the key, 64 lowercase hex digits. */
  sha256: string;
}

export interface StreamKeyRepo {
  /**
   * Records the event's current key hash (replacing the last). `event_not_found` if there is no
   * such event; `invalid_argument` if `sha256` is not 64 lowercase hex digits.
   */
  set(eventId: string, sha256: string): Promise<void>;
  /** The key hashes of every event that has not ended, by event id. */
  listLive(): Promise<StoredStreamKey[]>;
}

export class PgStreamKeyRepo implements StreamKeyRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async set(eventId: string, sha256: string): Promise<void> {
    try {
      await this.#db
        .insert(streamKeys)
        .values({ eventId, sha256 })
        .onConflictDoUpdate({
          target: streamKeys.eventId,
          set: { sha256, updatedAt: sql`now()` },
        });
    } catch (err) {
      const state = sqlState(err);
      if (state === PG_FOREIGN_KEY_VIOLATION) {
        throw new DbError('event_not_found', `no event ${eventId}`, { cause: err });
      }
      if (state === PG_CHECK_VIOLATION) {
        throw new DbError('invalid_argument', 'sha256 must be 64 lowercase hex digits', {
          cause: err,
        });
      }
      throw err;
    }
  }

  async listLive(): Promise<StoredStreamKey[]> {
    return this.#db
      .select({ eventId: streamKeys.eventId, sha256: streamKeys.sha256 })
      .from(streamKeys)
      .innerJoin(events, eq(events.id, streamKeys.eventId))
      .where(ne(events.state, 'ended'))
      .orderBy(asc(streamKeys.eventId));
  }
}
