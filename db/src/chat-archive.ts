// The durable copy of every event's chat, written in batches by whatever follows the event log.
// The log's `seq` is the key, so replaying a stretch of the log after a crash writes nothing
// twice. Moderation deletes leave a tombstone (deletedAt/deletedBy) rather than removing the row:
// the record keeps what was said and who removed it; pages for readers leave tombstones out.

import { and, asc, desc, eq, gt, isNull, lt, max, type SQL } from 'drizzle-orm';
import { DbError, unstorableValue } from './db-error.js';
import type { Db } from './db-handle.js';
import { pageLimit, type Page } from './paging.js';
import { chatArchive } from './schema.js';

/**
 * Most rows one appendBatch takes. One INSERT per batch keeps a batch atomic and cheap; Postgres
 * caps a statement at 65,535 bind parameters (9 per row here), so the cap stays well below that.
 */
export const MAX_CHAT_BATCH = 1000;

/** A chat message as archived, before any moderation. `ts` is when the log accepted it. */
export interface ChatArchiveRow {
  eventId: string;
  /** The event log's sequence number for this message. */
  seq: number;
  msgId: string;
  authorId: string;
  authorName: string;
  authorRole: string;
  text: string;
  ts: Date;
}

/** A row as stored, with its tombstone fields (always null in pages). */
export type ArchivedChat = typeof chatArchive.$inferSelect;

/**
 * Where a page starts. `afterSeq` (or nothing) reads forward, oldest first, from just after it
 * (or from the start). Only `beforeSeq` reads backward: the newest messages before it, still
 * returned oldest first. Both: forward within the open range (afterSeq, beforeSeq).
 */
export interface ChatCursor {
  afterSeq?: number;
  beforeSeq?: number;
}

export interface ChatPageQuery extends ChatCursor {
  limit?: number;
}

export interface ChatArchive {
  /**
   * Stores a batch in one INSERT; rows whose (eventId, seq) is already stored are skipped, so
   * replays are harmless. Returns how many rows were new. More than MAX_CHAT_BATCH rows is
   * `invalid_argument`; an empty batch does nothing. A row the database cannot hold (U+0000 in a
   * text) refuses the whole batch with `unstorable_value`, whose message quotes no row.
   */
  appendBatch(rows: readonly ChatArchiveRow[]): Promise<number>;
  /**
   * Tombstones a message. True if a live message was marked; false if it is unknown or already
   * deleted (the first deletion is kept). The log carries a delete after the message it deletes,
   * so an archiver that writes in log order has always stored the message first.
   */
  markDeleted(eventId: string, msgId: string, by: string, at: Date): Promise<boolean>;
  /**
   * A page of an event's messages that are not deleted, in seq order (ascending). `next` is the
   * cursor for the following page in the same direction: pass it back with the same limit.
   */
  page(eventId: string, query?: ChatPageQuery): Promise<Page<ArchivedChat, ChatCursor>>;
  /**
   * The highest seq stored for the event, tombstoned rows included; 0 when none. An archiver
   * resumes reading the log just after it.
   */
  highWater(eventId: string): Promise<number>;
  /**
   * One stored message by its id, tombstoned or not (the lowest seq if the id was archived
   * twice); undefined when the event has no such message archived.
   */
  find(eventId: string, msgId: string): Promise<ArchivedChat | undefined>;
}

/** ChatArchive on either driver. */
export class PgChatArchive implements ChatArchive {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async appendBatch(rows: readonly ChatArchiveRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    if (rows.length > MAX_CHAT_BATCH) {
      throw new DbError('invalid_argument', `a batch holds at most ${MAX_CHAT_BATCH} rows`, {
        details: { rows: rows.length },
      });
    }
    try {
      const inserted = await this.#insert(rows);
      return inserted.length;
    } catch (err) {
      // Deliberately not chained as `cause`: the driver's error quotes every row's text.
      throw unstorableValue(err) ?? err;
    }
  }

  #insert(rows: readonly ChatArchiveRow[]) {
    return this.#db
      .insert(chatArchive)
      .values(
        rows.map((r) => ({
          eventId: r.eventId,
          seq: r.seq,
          msgId: r.msgId,
          authorId: r.authorId,
          authorName: r.authorName,
          authorRole: r.authorRole,
          text: r.text,
          ts: r.ts,
        })),
      )
      .onConflictDoNothing({ target: [chatArchive.eventId, chatArchive.seq] })
      .returning({ seq: chatArchive.seq });
  }

  async markDeleted(eventId: string, msgId: string, by: string, at: Date): Promise<boolean> {
    const marked = await this.#db
      .update(chatArchive)
      .set({ deletedAt: at, deletedBy: by })
      .where(
        and(
          eq(chatArchive.eventId, eventId),
          eq(chatArchive.msgId, msgId),
          isNull(chatArchive.deletedAt),
        ),
      )
      .returning({ seq: chatArchive.seq });
    return marked.length > 0;
  }

  async page(eventId: string, query: ChatPageQuery = {}): Promise<Page<ArchivedChat, ChatCursor>> {
    const limit = pageLimit(query.limit);
    const { afterSeq, beforeSeq } = query;
    const where: SQL[] = [eq(chatArchive.eventId, eventId), isNull(chatArchive.deletedAt)];
    if (afterSeq !== undefined) where.push(gt(chatArchive.seq, afterSeq));
    if (beforeSeq !== undefined) where.push(lt(chatArchive.seq, beforeSeq));
    const backward = beforeSeq !== undefined && afterSeq === undefined;
    const rows = await this.#db
      .select()
      .from(chatArchive)
      .where(and(...where))
      .orderBy(backward ? desc(chatArchive.seq) : asc(chatArchive.seq))
      .limit(limit + 1);
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    if (backward) {
      items.reverse();
      return { items, next: more ? { beforeSeq: items[0]!.seq } : undefined };
    }
    const last = items.at(-1);
    return {
      items,
      next:
        more && last
          ? { afterSeq: last.seq, ...(beforeSeq !== undefined && { beforeSeq }) }
          : undefined,
    };
  }

  async highWater(eventId: string): Promise<number> {
    const [row] = await this.#db
      .select({ seq: max(chatArchive.seq) })
      .from(chatArchive)
      .where(eq(chatArchive.eventId, eventId));
    // max() of a bigint column comes back as a string on some drivers.
    return row?.seq == null ? 0 : Number(row.seq);
  }

  async find(eventId: string, msgId: string): Promise<ArchivedChat | undefined> {
    const [row] = await this.#db
      .select()
      .from(chatArchive)
      .where(and(eq(chatArchive.eventId, eventId), eq(chatArchive.msgId, msgId)))
      .orderBy(asc(chatArchive.seq))
      .limit(1);
    return row;
  }
}
