// Fan-out delivery latency on this shard: from the moment the event log accepted a record (its
// `ts`, the log's clock: JetStream's stored-message timestamp in the distributed mode, the
// engine's clock in the embedded one; the same `ts` fans read on a chat message) to the moment
// this shard hands the batch holding it to uWS `publish` (its clock). One observation per record
// per shard, never per fan: uWS loops over the sockets in C++ after that. Skew between the NATS
// server's clock and the shard's adds to (or, shard behind, takes from) every figure; a record
// whose latency reads below zero counts as 0. Two views of the same observations: a Prometheus
// histogram (`rate()` over any range) and the shard's last 10 s (five complete 2 s steps, moving
// at each step), whose p99 goes to the shard registry with the heartbeat: exact up to
// FANOUT_STEP_SAMPLES records a step, past that estimated from a uniform sample of the step's
// (bounded memory: a ring of six steps, reused).

import type { FanoutWindow } from '@fanfare/protocol';
import { Histogram, type Registry } from 'prom-client';

/** Histogram buckets, seconds: 5 ms to 5 s, the 250 ms goal on an edge. */
export const FANOUT_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** One step of the registry's window, ms: the heartbeat's period (REGISTRY_TTL_MS / 3). */
export const FANOUT_STEP_MS = 2_000;
/** Steps the registry's p99 covers: the last 10 s, so a reader polling every 5 s misses nothing. */
export const FANOUT_STEPS = 5;
/** Latencies kept per step for the p99; past this, a uniform sample of the step's. */
export const FANOUT_STEP_SAMPLES = 1_024;

/** The p99 of `samples` (ms) by nearest rank; null when empty. Sorts `samples` in place. */
export function p99Of(samples: Float64Array): number | null {
  if (samples.length === 0) return null;
  samples.sort();
  return samples[Math.ceil(0.99 * samples.length) - 1]!;
}

/** One step's latencies: all of them up to FANOUT_STEP_SAMPLES, then a reservoir. */
class Step {
  readonly samples = new Float64Array(FANOUT_STEP_SAMPLES);
  /** The step's index (time / step length, floored); -1 while unused. */
  index = -1;
  seen = 0;

  add(ms: number): void {
    const n = this.seen++;
    if (n < FANOUT_STEP_SAMPLES) this.samples[n] = ms;
    else {
      // Reservoir sampling (Algorithm R): each latency seen stays with equal probability.
      const j = Math.floor(Math.random() * (n + 1));
      if (j < FANOUT_STEP_SAMPLES) this.samples[j] = ms;
    }
  }

  get kept(): Float64Array {
    return this.samples.subarray(0, Math.min(this.seen, FANOUT_STEP_SAMPLES));
  }
}

export class FanoutLatency {
  readonly histogram: Histogram;
  readonly #stepMs: number;
  /** A ring of steps, the one for index i at i % length; reused, never reallocated. */
  readonly #ring: Step[];
  /** The report for the steps before the one of `#reportedAt`, computed once per step. */
  #reported: FanoutWindow | undefined;
  #reportedAt = -1;

  constructor(registry: Registry, stepMs = FANOUT_STEP_MS, steps = FANOUT_STEPS) {
    this.#stepMs = stepMs;
    // One more than reported: the step in progress.
    this.#ring = Array.from({ length: steps + 1 }, () => new Step());
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
    const index = Math.floor(sentAt / this.#stepMs);
    const step = this.#ring[index % this.#ring.length]!;
    if (step.index < index) {
      step.index = index;
      step.seen = 0;
    }
    step.add(ms);
  }

  /**
   * The last FANOUT_STEPS complete steps before `now` (ms): how many records went out in them,
   * and their p99.
   */
  recent(now: number): FanoutWindow {
    const current = Math.floor(now / this.#stepMs);
    if (this.#reported && this.#reportedAt === current) return this.#reported;
    const steps = this.#ring.filter(
      (s) => s.index < current && s.index >= current - (this.#ring.length - 1) && s.seen > 0,
    );
    const all = new Float64Array(steps.reduce((n, s) => n + s.kept.length, 0));
    let at = 0;
    for (const s of steps) {
      all.set(s.kept, at);
      at += s.kept.length;
    }
    this.#reportedAt = current;
    this.#reported = {
      windowMs: this.#stepMs * (this.#ring.length - 1),
      delivered: steps.reduce((n, s) => n + s.seen, 0),
      p99Ms: p99Of(all),
    };
    return this.#reported;
  }
}
