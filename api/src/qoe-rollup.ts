// The API's side of QoE: receives every shard's windows on `subjects.qoe()`, counts them into the
// `fanfare_qoe_*` series at once, and writes them to Postgres every QOE_FLUSH_MS in one batch
// (one insert, not one per shard window). GET /v1/events/{id}/qoe sums the stored windows. A
// failed write is logged and its windows dropped (QoE is an estimate; a database outage must not
// grow this process's memory), and at most QOE_PENDING_MAX rows wait between writes.

import type { QoeRepo, QoeWindowRecord } from '@fanfare/db';
import {
  decodeQoeReport,
  type Bus,
  type Clock,
  type Logger,
  type Subscription,
  type TimerHandle,
} from '@fanfare/fanout';
import type { QoeApiMetrics } from './qoe-metrics.js';

/** How often received windows are written to Postgres, ms. */
export const QOE_FLUSH_MS = 5_000;
/** Most window rows held for the next write; beyond it new rows are dropped (and counted). */
export const QOE_PENDING_MAX = 50_000;

export interface QoeRollupOptions {
  bus: Bus;
  /** Subjects.qoe(). */
  subject: string;
  repo: QoeRepo;
  metrics: QoeApiMetrics;
  clock: Clock;
  logger: Logger;
  flushMs?: number;
}

export class QoeRollup {
  readonly #o: QoeRollupOptions;
  #pending: QoeWindowRecord[] = [];
  #dropped = 0;
  #subscription: Subscription | undefined;
  #timer: TimerHandle | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: QoeRollupOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#subscription || this.#closed) return;
    this.#subscription = this.#o.bus.subscribe(this.#o.subject, (data) => this.#receive(data));
    this.#timer = this.#o.clock.setInterval(
      () => void this.flush(),
      this.#o.flushMs ?? QOE_FLUSH_MS,
    );
  }

  #receive(data: Uint8Array): void {
    const report = decodeQoeReport(data);
    if (!report) {
      this.#o.logger.warn('qoe window ignored: not a report');
      return;
    }
    for (const row of report.rows) {
      this.#o.metrics.record(row);
      if (this.#pending.length >= QOE_PENDING_MAX) {
        this.#dropped++;
        continue;
      }
      this.#pending.push({
        ...row,
        shardId: report.shardId,
        windowStart: report.windowStart,
        windowMs: report.windowMs,
      });
    }
  }

  /** Writes what has arrived since the last write (after that one ends). Never rejects. */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (this.#dropped > 0) {
      this.#o.logger.warn('qoe windows dropped: too many waiting for the database', {
        dropped: this.#dropped,
      });
      this.#dropped = 0;
    }
    if (batch.length === 0) return;
    try {
      await this.#o.repo.record(batch);
    } catch (err) {
      this.#o.logger.error('qoe windows not stored', { err, rows: batch.length });
    }
  }

  /** Stops receiving and writes what is left. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return this.#writing;
    this.#closed = true;
    this.#subscription?.unsubscribe();
    if (this.#timer) this.#o.clock.clearInterval(this.#timer);
    await this.flush();
  }
}
