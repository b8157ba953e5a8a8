// Fan-out delivery latency on this shard: from the moment the event log accepted a record (its
// `ts`, the log's clock: JetStream's stored-message timestamp in the distributed mode, the
// engine's clock in the embedded one; the same `ts` fans read on a chat message) to the moment
// this shard hands the batch holding it to uWS `publish` (its clock). One observation per record
// per shard, never per fan: uWS loops over the sockets in C++ after that. Skew between the NATS
// server's clock and the shard's adds to (or, shard behind, takes from) every figure; a record
// whose latency reads below zero counts as 0. Two views of the same observations: a Prometheus
// histogram (`rate()` over any range) and the shard's last complete window, whose exact p99 goes
// to the shard registry with the heartbeat (a reservoir of FANOUT_WINDOW_SAMPLES bounds its
// memory; past it the p99 is estimated from a uniform sample).

import type { FanoutWindow } from '@fanfare/protocol';
import { Histogram, type Registry } from 'prom-client';

/** Histogram buckets, seconds: 5 ms to 5 s, the 250 ms goal on an edge. */
export const FANOUT_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** The window the registry's p99 covers, ms: the heartbeat's period (REGISTRY_TTL_MS / 3). */
export const FANOUT_WINDOW_MS = 2_000;
/** Latencies kept per window for its exact p99; past this, a uniform sample of them. */
export const FANOUT_WINDOW_SAMPLES = 4_096;

/** The p99 of `samples` (ms) by nearest rank; null when empty. Sorts `samples` in place. */
export function p99Of(samples: Float64Array): number | null {
  if (samples.length === 0) return null;
  samples.sort();
  return samples[Math.ceil(0.99 * samples.length) - 1]!;
}

class Window {
  readonly samples = new Float64Array(FANOUT_WINDOW_SAMPLES);
  seen = 0;

  add(ms: number): void {
    const n = this.seen++;
    if (n < FANOUT_WINDOW_SAMPLES) this.samples[n] = ms;
    else {
      // Reservoir sampling (Algorithm R): each latency seen stays with equal probability.
      const j = Math.floor(Math.random() * (n + 1));
      if (j < FANOUT_WINDOW_SAMPLES) this.samples[j] = ms;
    }
  }

  p99(): number | null {
    return p99Of(this.samples.slice(0, Math.min(this.seen, FANOUT_WINDOW_SAMPLES)));
  }
}

export class FanoutLatency {
  readonly histogram: Histogram;
  readonly #windowMs: number;
  /** Index of the window `#current` covers (now / windowMs, floored); -1 before the first. */
  #index = -1;
  #current = new Window();
  /** The window before `#current`, if it was the one just before it (else nothing was seen). */
  #previous: Window | undefined;
  /** The previous window's figures, computed once per window. */
  #reported: FanoutWindow | undefined;

  constructor(registry: Registry, windowMs = FANOUT_WINDOW_MS) {
    this.#windowMs = windowMs;
    this.histogram = new Histogram({
      name: 'fanfare_fanout_delivery_seconds',
      help: 'From the event log accepting a record (chat message or deletion; its ts, the log clock) to this shard handing it to its sockets (this shard clock), seconds. One observation per record per shard.',
      buckets: FANOUT_BUCKETS_S,
      registers: [registry],
    });
  }

  /** Records one record of the log (`ts`, ms) handed to the sockets at `sentAt` (ms). */
  observe(ts: number, sentAt: number): void {
    const ms = Math.max(0, sentAt - ts);
    this.histogram.observe(ms / 1000);
    this.#roll(sentAt);
    this.#current.add(ms);
  }

  /** The last complete window before `now` (ms): how many records went out, and their p99. */
  recent(now: number): FanoutWindow {
    this.#roll(now);
    this.#reported ??= {
      windowMs: this.#windowMs,
      delivered: this.#previous?.seen ?? 0,
      p99Ms: this.#previous?.p99() ?? null,
    };
    return this.#reported;
  }

  #roll(now: number): void {
    const index = Math.floor(now / this.#windowMs);
    if (index <= this.#index) return;
    if (index === this.#index + 1 && this.#current.seen > 0) {
      // Two windows, swapped: no allocation per window.
      const spare = this.#previous ?? new Window();
      spare.seen = 0;
      this.#previous = this.#current;
      this.#current = spare;
    } else {
      this.#previous = undefined; // nothing went out in the window just before `now`
      this.#current.seen = 0;
    }
    this.#index = index;
    this.#reported = undefined;
  }
}
