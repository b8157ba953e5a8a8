// The shards' QoE windows as the API stores them (table `qoe_windows`), and the sums it answers
// an event's QoE from. A window is written once per (event, start, shard, tier, country): an API
// replica that receives a window another replica already stored changes nothing. Sums are taken
// in SQL (GROUP BY), so a read costs one scan of the event's rows in range, not a transfer.

import { QOE_VST_BUCKETS_S, type QoeCounts, type QoeTier } from '@fanfare/protocol';
import { and, asc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from './db-handle.js';
import { events, qoeWindows } from './schema.js';

/** One shard's counts for one window, tier and country of an event. */
export interface QoeWindowRecord {
  eventId: string;
  /** ms since the Unix epoch. */
  windowStart: number;
  windowMs: number;
  shardId: string;
  tier: QoeTier;
  /** ISO 3166-1 alpha-2, upper case, or `unknown`. */
  country: string;
  counts: QoeCounts;
}

/** Counts summed over shards and windows for one tier and country. */
export interface QoeGroupTotals {
  tier: QoeTier;
  country: string;
  counts: QoeCounts;
}

/** Counts summed over shards, tiers and countries for one window. */
export interface QoeWindowTotals {
  windowStart: number;
  counts: QoeCounts;
}

export interface QoeRepo {
  /**
   * Stores windows, keeping the first copy of each (event, start, shard, tier, country). Windows
   * of events that do not exist (or were deleted) are dropped. Resolves to the rows newly stored.
   */
  record(windows: readonly QoeWindowRecord[]): Promise<number>;
  /** The event's counts by tier and country over windows starting at or after `sinceMs`. */
  totals(eventId: string, sinceMs: number): Promise<QoeGroupTotals[]>;
  /** The event's counts per window starting at or after `sinceMs`, oldest first. */
  series(eventId: string, sinceMs: number): Promise<QoeWindowTotals[]>;
}

const summed = (column: SQL | AnyPgColumn) =>
  sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);

/** The summed columns, by QoeCounts field (bucket i is Postgres's 1-based `vst_buckets[i + 1]`). */
function sums() {
  return {
    starts: summed(qoeWindows.starts),
    vstSumMs: summed(qoeWindows.vstSumMs),
    watchMs: summed(qoeWindows.watchMs),
    rebuffers: summed(qoeWindows.rebuffers),
    rebufferMs: summed(qoeWindows.rebufferMs),
    exitsBeforeStart: summed(qoeWindows.exitsBeforeStart),
    failures: summed(qoeWindows.failures),
    fallbacks: summed(qoeWindows.fallbacks),
    ...Object.fromEntries(
      [...QOE_VST_BUCKETS_S, Infinity].map((_, i) => [
        `b${i}`,
        summed(sql`${qoeWindows.vstBuckets}[${sql.raw(String(i + 1))}]`),
      ]),
    ),
  };
}

type SumRow = Record<string, unknown>;

function countsOf(row: SumRow): QoeCounts {
  return {
    starts: row.starts as number,
    vstBuckets: [...QOE_VST_BUCKETS_S, Infinity].map((_, i) => row[`b${i}`] as number),
    vstSumMs: row.vstSumMs as number,
    watchMs: row.watchMs as number,
    rebuffers: row.rebuffers as number,
    rebufferMs: row.rebufferMs as number,
    exitsBeforeStart: row.exitsBeforeStart as number,
    failures: row.failures as number,
    fallbacks: row.fallbacks as number,
  };
}

export class PgQoeRepo implements QoeRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async record(windows: readonly QoeWindowRecord[]): Promise<number> {
    if (windows.length === 0) return 0;
    const ids = [...new Set(windows.map((w) => w.eventId))];
    const known = new Set(
      (await this.#db.select({ id: events.id }).from(events).where(inArray(events.id, ids))).map(
        (r) => r.id,
      ),
    );
    const rows = windows
      .filter((w) => known.has(w.eventId))
      .map((w) => ({
        eventId: w.eventId,
        windowStart: new Date(w.windowStart),
        windowMs: w.windowMs,
        shardId: w.shardId,
        tier: w.tier,
        country: w.country,
        ...w.counts,
      }));
    if (rows.length === 0) return 0;
    // An event deleted between the read above and this insert fails the batch (foreign key);
    // the roll-up logs that and the next batch goes on without it.
    const stored = await this.#db
      .insert(qoeWindows)
      .values(rows)
      .onConflictDoNothing()
      .returning({ eventId: qoeWindows.eventId });
    return stored.length;
  }

  async totals(eventId: string, sinceMs: number): Promise<QoeGroupTotals[]> {
    const rows = await this.#db
      .select({ tier: qoeWindows.tier, country: qoeWindows.country, ...sums() })
      .from(qoeWindows)
      .where(this.#range(eventId, sinceMs))
      .groupBy(qoeWindows.tier, qoeWindows.country)
      .orderBy(asc(qoeWindows.tier), asc(qoeWindows.country));
    return rows.map((row) => ({
      tier: row.tier as QoeTier,
      country: row.country,
      counts: countsOf(row),
    }));
  }

  async series(eventId: string, sinceMs: number): Promise<QoeWindowTotals[]> {
    const rows = await this.#db
      .select({ windowStart: qoeWindows.windowStart, ...sums() })
      .from(qoeWindows)
      .where(this.#range(eventId, sinceMs))
      .groupBy(qoeWindows.windowStart)
      .orderBy(asc(qoeWindows.windowStart));
    return rows.map((row) => ({ windowStart: row.windowStart.getTime(), counts: countsOf(row) }));
  }

  #range(eventId: string, sinceMs: number): SQL | undefined {
    return and(eq(qoeWindows.eventId, eventId), gte(qoeWindows.windowStart, new Date(sinceMs)));
  }
}
