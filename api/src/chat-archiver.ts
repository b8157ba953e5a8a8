// Accepted chat, from each event's log to Postgres, in batches: every ARCHIVE_INTERVAL_MS a pass
// reads each live event's log after what is already archived and writes it with one INSERT per
// MAX_CHAT_BATCH entries (never one per message), then applies that stretch's deletions in log
// order. The archive's highest seq is the resume point, so a restart (or a second replica doing
// the same work) replays at most a stretch, which the archive's (event, seq) key makes harmless.
// Trade-off: history lags the live chat by up to a pass; the log serves what is newer.
// A row the database refuses (`unstorable_value`: U+0000 in text written before decode refused
// it) is found by halving the batch, set aside (counted, logged without its text) and passed
// over, so one message can never stop an event's archive.

import {
  MAX_CHAT_BATCH,
  describeDbFailure,
  isDbError,
  type ChatArchiveRow,
  type Database,
} from '@fanfare/db';
import {
  decodeLogRecord,
  type Clock,
  type DeleteRecord,
  type EventLog,
  type Logger,
  type TimerHandle,
} from '@fanfare/fanout';

/** How often a pass runs, ms. History lags live chat by about this much. */
export const ARCHIVE_INTERVAL_MS = 1000;

export interface ChatArchiverDeps {
  db: Database;
  log: EventLog;
  clock: Clock;
  logger: Logger;
}

export class ChatArchiver {
  #deps: ChatArchiverDeps;
  #timer: TimerHandle | undefined;
  /** The pass under way, if any: passes never overlap. */
  #running: Promise<void> | undefined;
  /** Events that were live at the last pass: one that is not any more gets a final drain. */
  #live = new Set<string>();
  /**
   * Per event, the last seq this process has read, which can be past the archive's highest seq
   * when the log ends with deletions or unknown records; saves re-reading them every pass.
   */
  #cursor = new Map<string, number>();
  /** Until the first pass has run: it also drains events that ended while nobody archived. */
  #firstPass = true;
  #setAside = 0;

  constructor(deps: ChatArchiverDeps) {
    this.#deps = deps;
  }

  /** Runs a pass every ARCHIVE_INTERVAL_MS (a tick that finds a pass still running is skipped). */
  start(): void {
    this.#timer ??= this.#deps.clock.setInterval(() => void this.pass(), ARCHIVE_INTERVAL_MS);
  }

  /** Stops the loop after a final pass. Idempotent. */
  async close(): Promise<void> {
    if (this.#timer === undefined) return this.idle();
    this.#deps.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    await this.idle();
    await this.pass();
  }

  /**
   * Messages this process found the database cannot store and passed over since it started
   * (each is also logged as `chat archive set a message aside`, with its event, seq and id).
   */
  get setAside(): number {
    return this.#setAside;
  }

  /** Resolves when no pass is under way. */
  async idle(): Promise<void> {
    await this.#running;
  }

  /**
   * One pass over every live event and every event that stopped being live since the previous
   * pass. Joins the pass under way instead of starting a second. Never rejects: failures are
   * logged and the next pass retries from the archive's high-water mark.
   */
  pass(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const { logger } = this.#deps;
    let live: Set<string>;
    let ended: string[] = [];
    try {
      live = new Set(await this.#eventsIn('live'));
      if (this.#firstPass) ended = await this.#eventsIn('ended');
    } catch (err) {
      logger.warn('chat archive pass could not list events', { err: describeDbFailure(err) });
      return;
    }
    this.#firstPass = false;
    const gone = [...this.#live].filter((id) => !live.has(id));
    for (const eventId of new Set([...live, ...gone, ...ended])) {
      try {
        await this.#drain(eventId);
        if (!live.has(eventId)) {
          this.#live.delete(eventId);
          this.#cursor.delete(eventId);
        }
      } catch (err) {
        logger.warn('chat archive failed for an event; retrying next pass', {
          eventId,
          err: describeDbFailure(err),
        });
      }
    }
    // An event whose final drain failed stays in the set, so the next pass drains it again.
    for (const eventId of live) this.#live.add(eventId);
  }

  async #eventsIn(state: 'live' | 'ended'): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.#deps.db.events.list({ state, ...(after ? { after } : {}) });
      for (const event of page.items) ids.push(event.id);
      after = page.next;
    } while (after !== undefined);
    return ids;
  }

  /** Archives the event's log from its high-water mark until caught up. */
  async #drain(eventId: string): Promise<void> {
    const { db, log, logger } = this.#deps;
    const archived = await db.chat.highWater(eventId);
    let after = Math.max(archived, this.#cursor.get(eventId) ?? 0);
    for (;;) {
      const range = await log.readAfter(eventId, after, MAX_CHAT_BATCH);
      const first = range.entries[0];
      if (!first) break;
      if (first.seq > after + 1) {
        // The log's retention dropped entries before they were archived: they are gone.
        logger.warn('chat log entries expired before they were archived', {
          eventId,
          fromSeq: after + 1,
          toSeq: first.seq - 1,
        });
      }
      const rows: ChatArchiveRow[] = [];
      const deletes: { record: DeleteRecord; at: Date }[] = [];
      for (const entry of range.entries) {
        const record = decodeLogRecord(entry);
        // Records this version does not know (or cannot parse) are skipped: the log is the
        // system of record for them, the archive only for chat.
        if (record?.kind === 'chat') {
          rows.push({
            eventId,
            seq: entry.seq,
            msgId: record.id,
            authorId: record.author.id,
            authorName: record.author.name,
            authorRole: record.author.role,
            text: record.text,
            ts: new Date(entry.ts),
          });
        } else if (record?.kind === 'delete') {
          deletes.push({ record, at: new Date(entry.ts) });
        }
      }
      // The batch's messages first: a deletion always follows the message it deletes, so
      // tombstoning after the insert applies every deletion of the stretch in log order.
      await this.#store(rows);
      for (const { record, at } of deletes) {
        await db.chat.markDeleted(eventId, record.id, record.by, at);
      }
      after = range.entries.at(-1)!.seq;
      this.#cursor.set(eventId, after);
      if (range.entries.length < MAX_CHAT_BATCH || after >= range.lastSeq) break;
    }
  }

  /**
   * Appends rows in one INSERT; when the database refuses a value, halves the batch until the
   * refused rows stand alone, stores the rest and sets those aside. Other failures propagate
   * (the pass retries the stretch later).
   */
  async #store(rows: readonly ChatArchiveRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.#deps.db.chat.appendBatch(rows);
    } catch (err) {
      if (!isDbError(err, 'unstorable_value')) throw err;
      const [only] = rows;
      if (rows.length === 1 && only) return this.#putAside(only, err.details.sqlState ?? null);
      const half = Math.ceil(rows.length / 2);
      // In seq order, so the archive's high-water mark never passes a row still to be written.
      await this.#store(rows.slice(0, half));
      await this.#store(rows.slice(half));
    }
  }

  #putAside(row: ChatArchiveRow, sqlState: string | number | null): void {
    this.#setAside++;
    // Ids and position only: the text (and the author) is what could not be stored, and logs
    // are not the place for chat.
    this.#deps.logger.warn('chat archive set a message aside', {
      eventId: row.eventId,
      seq: row.seq,
      msgId: row.msgId,
      sqlState,
      setAside: this.#setAside,
    });
  }
}
