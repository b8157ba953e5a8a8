// The shard's side of QoE roll-up: counts its fans' beacons per (event, tier, country) in
// wall-clock-aligned windows and publishes each finished window once on `subjects.qoe()` (one
// message per shard per window, whatever the number of fans). Only the API subscribes to that
// subject; shards never receive each other's windows. Core NATS is at-most-once: a window lost in
// transit (or held by a shard that dies before the tick) is missing from the roll-up, not
// retried, so QoE ratios are estimates over the windows that arrived.

import type { QoeBeacon } from '@fanfare/protocol';
import type { Bus } from './bus.js';
import type { Clock, TimerHandle } from './clock.js';
import {
  QOE_WINDOW_MS,
  addBeacon,
  emptyCounts,
  encodeQoeReport,
  type QoeWindowRow,
} from './qoe-window.js';

export interface QoeAggregatorOptions {
  bus: Bus;
  /** Subjects.qoe(). */
  subject: string;
  shardId: string;
  clock: Clock;
  windowMs?: number;
}

export class QoeAggregator {
  readonly windowMs: number;
  readonly #options: QoeAggregatorOptions;
  /** Open windows by start, each by `event\ttier\tcountry`. */
  readonly #windows = new Map<number, Map<string, QoeWindowRow>>();
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: QoeAggregatorOptions) {
    this.#options = options;
    this.windowMs = options.windowMs ?? QOE_WINDOW_MS;
  }

  /** Publishes each window once it has ended, checked every window. Idempotent. */
  start(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = this.#options.clock.setInterval(() => this.flush(false), this.windowMs);
  }

  /** Counts one decoded beacon of a fan of `eventId` in `country` (`unknown` when not known). */
  record(eventId: string, country: string, beacon: QoeBeacon): void {
    if (this.#closed) return;
    const start = Math.floor(this.#options.clock.now() / this.windowMs) * this.windowMs;
    let rows = this.#windows.get(start);
    if (!rows) this.#windows.set(start, (rows = new Map()));
    const key = `${eventId}\t${beacon.tier}\t${country}`;
    let row = rows.get(key);
    if (!row) {
      row = { eventId, tier: beacon.tier, country, counts: emptyCounts() };
      rows.set(key, row);
    }
    addBeacon(row.counts, beacon);
  }

  /** Publishes the windows that have ended (every open one when `all`). */
  flush(all: boolean): void {
    const now = this.#options.clock.now();
    for (const [start, rows] of this.#windows) {
      if (!all && start + this.windowMs > now) continue;
      this.#windows.delete(start);
      this.#options.bus.publish(
        this.#options.subject,
        encodeQoeReport({
          shardId: this.#options.shardId,
          windowStart: start,
          windowMs: this.windowMs,
          rows: [...rows.values()],
        }),
      );
    }
  }

  /** Publishes what is open (a shard draining sends its last partial window) and stops. */
  close(): void {
    if (this.#closed) return;
    if (this.#timer) this.#options.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    this.flush(true);
    this.#closed = true;
  }
}
