// Viewers-now for one event across shards. Each shard publishes its local count once per
// interval; every shard keeps the latest count per shard (expiring after a few silent
// intervals, so a dead shard's fans stop counting) and reports the sum when it changes, at most
// once per interval. Latest-wins per shard: an older count is superseded, never queued.

import type { Bus, Subscription } from './bus.js';
import type { Clock, TimerHandle } from './clock.js';

/** How often shards exchange counts and fans may see a change, ms. */
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
  /** Called with the new total, at most once per interval, only when it changed. */
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
  #lastReported = -1;
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
    const total = this.total();
    if (total !== this.#lastReported) {
      this.#lastReported = total;
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
