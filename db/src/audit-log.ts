// Who did what, to which event, and why: the append-only trail of producer, moderator and SRE
// actions. Rows are never updated; ids come from a sequence, so "newest first" is "highest id
// first" and paging by id is stable while new entries arrive.

import { and, desc, eq, isNull, lt, type SQL } from 'drizzle-orm';
import type { Db } from './db-handle.js';
import { pageLimit, type Page } from './paging.js';
import { auditLog } from './schema.js';

/** An entry as stored; `id` grows with every append across all events. */
export type AuditEntry = typeof auditLog.$inferSelect;

export interface NewAuditEntry {
  /** The event acted on; null for global actions (credentials, shard drains). */
  eventId: string | null;
  actorId: string;
  /** The role the actor acted in (`producer`, `moderator`, `sre`, or `system`). */
  actorRole: string;
  /** What was done, as a stable dotted verb: `event.transition`, `chat.delete`, `poll.close`. */
  action: string;
  /** What it was done to (a message id, a user id, a poll id), when not the event itself. */
  target?: string | null;
  /** The reason the actor gave, shown to other staff. */
  reason?: string | null;
  /** Anything else worth keeping (before/after values); must be JSON. Never secrets. */
  details?: Record<string, unknown>;
  /** When it happened; defaults to the database's clock. */
  at?: Date;
}

export interface AuditListQuery {
  /** Cursor: only entries older than this id (the previous page's `next`). */
  beforeId?: number;
  limit?: number;
}

export interface AuditLog {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /**
   * One event's entries (or the global ones, for `null`), newest first. `next` is the id to pass
   * as `beforeId` for older entries.
   */
  list(eventId: string | null, query?: AuditListQuery): Promise<Page<AuditEntry, number>>;
}

/** AuditLog on either driver. */
export class PgAuditLog implements AuditLog {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const [row] = await this.#db
      .insert(auditLog)
      .values({
        eventId: entry.eventId,
        actorId: entry.actorId,
        actorRole: entry.actorRole,
        action: entry.action,
        target: entry.target ?? null,
        reason: entry.reason ?? null,
        details: entry.details ?? {},
        at: entry.at,
      })
      .returning();
    return row!;
  }

  async list(
    eventId: string | null,
    query: AuditListQuery = {},
  ): Promise<Page<AuditEntry, number>> {
    const limit = pageLimit(query.limit);
    const where: SQL[] = [
      eventId === null ? isNull(auditLog.eventId) : eq(auditLog.eventId, eventId),
    ];
    if (query.beforeId !== undefined) where.push(lt(auditLog.id, query.beforeId));
    const rows = await this.#db
      .select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.id))
      .limit(limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? items.at(-1)?.id : undefined };
  }
}
