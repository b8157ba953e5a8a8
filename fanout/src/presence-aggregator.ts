// Viewers-now for one event across shards. Each shard publishes its local count once per
// interval; every shard keeps the latest count per shard (expiring after a few silent
// intervals, so a dead shard's fans stop counting) and reports the sum to its fans when it
// changed, paced by the audience (presence-cadence.ts: every interval up to 2,000 viewers, every
// 10 s from 20,000). Latest-wins per shard: an older count is superseded, never queued.

import type { Bus, Subscription } from './bus.js';
import type { Clock, TimerHandle } from './clock.js';
import { PRESENCE_CADENCE, presenceDue, type PresenceCadence } from './presence-cadence.js';

/** How often shards exchange counts, and the least time between two counts fans get, ms. */
export const PRESENCE_INTERVAL_MS = 1000;
/** A shard silent for this many intervals no longer counts. */
export const PRESENCE_TTL_INTERVALS = 3;

export interface PresenceAggregatorOptions {
  bus: Bus;
  /** The event's presence subject (Subjects.presence). */
  subject: string;
  shardId: string;
  clock: Clock;
  intervalMs?: number;
  /** How fans' counts are paced by the audience; PRESENCE_CADENCE unless given. */
  cadence?: PresenceCadence;
  /**
   * Called on an interval's tick with the new total, only when it differs from the last one
   * passed and `presenceDue` says so: at most once per interval, and within max(interval,
   * cadence.maxGapMs) rounded up to whole intervals of the total changing.
   */
  onChange: (viewers: number) => void;
}

interface Report {
  s: string;
  n: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class PresenceAggregator {
  #options: PresenceAggregatorOptions;
  #intervalMs: number;
  #local = 0;
  #remote = new Map<string, { n: number; expiresAt: number }>();
  #lastReported: number | undefined;
  /** Ticks since the last report (the rule's time, jitter-free in whole intervals). */
  #ticksSince = 0;
  #timer: TimerHandle | undefined;
  #subscription: Subscription | undefined;

  constructor(options: PresenceAggregatorOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? PRESENCE_INTERVAL_MS;
  }

  start(): void {
    if (this.#timer) return;
    this.#subscription = this.#options.bus.subscribe(this.#options.subject, (data) =>
      this.#receive(data),
    );
    this.#timer = this.#options.clock.setInterval(() => this.#tick(), this.#intervalMs);
  }

  /** Sets this shard's count of fans in the event. */
  setLocal(count: number): void {
    this.#local = count;
  }

  /** Viewers across shards now: this shard's live count plus the others' latest reports. */
  total(): number {
    const now = this.#options.clock.now();
    let sum = this.#local;
    for (const [shard, report] of this.#remote) {
      if (report.expiresAt <= now) this.#remote.delete(shard);
      else sum += report.n;
    }
    return sum;
  }

  /** Stops and tells the other shards this one holds nobody now. */
  close(): void {
    if (!this.#timer) return;
    this.#options.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#publish(0);
    this.#remote.clear();
  }

  #tick(): void {
    this.#publish(this.#local);
    this.#ticksSince++;
    const total = this.total();
    const now = {
      viewers: total,
      reported: this.#lastReported,
      sinceMs: this.#ticksSince * this.#intervalMs,
    };
    if (presenceDue(now, this.#intervalMs, this.#options.cadence ?? PRESENCE_CADENCE)) {
      this.#lastReported = total;
      this.#ticksSince = 0;
      this.#options.onChange(total);
    }
  }

  #publish(n: number): void {
    const report: Report = { s: this.#options.shardId, n };
    this.#options.bus.publish(this.#options.subject, encoder.encode(JSON.stringify(report)));
  }

  #receive(data: Uint8Array): void {
    let report: Report;
    try {
      report = JSON.parse(decoder.decode(data)) as Report;
    } catch {
      return; // A malformed report from another shard is ignored, not fatal.
    }
    if (typeof report?.s !== 'string' || !Number.isSafeInteger(report.n) || report.n < 0) return;
    if (report.s === this.#options.shardId) return; // Our own count is read live.
    const ttl = this.#intervalMs * PRESENCE_TTL_INTERVALS;
    if (report.n === 0) this.#remote.delete(report.s);
    else this.#remote.set(report.s, { n: report.n, expiresAt: this.#options.clock.now() + ttl });
  }
}
