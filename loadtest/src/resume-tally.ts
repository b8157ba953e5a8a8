// What a set of fans coming back after losing their connections adds up to: how many came back,
// each one's time from the loss (a drop, a shard's kill) to its new welcome, the continuity the
// welcomes reported and the messages their resume snapshots held that the fans had missed. One
// tally for the recovery scenario's drops and the shard-kill scenario's rejoins, and one sum of
// the generators' tallies for the rows of recovery, resume-storm and shard-kill.

import { nowMs } from './clock.js';
import type { WelcomeInfo } from './fan-receiver.js';
import { Histogram } from './histogram.js';
import type { RecoveryResult } from './worker-messages.js';

export class ResumeTally {
  readonly #startMs: number;
  readonly #latency = new Histogram();
  readonly #continuity: Record<string, number> = {};
  readonly #dropped: number;
  #resumed = 0;
  #failed = 0;
  #recovered = 0;
  #firstFailure: string | undefined;

  /**
   * `dropped` fans lost their connections at `startMs` (shared clock, clock.ts), or, in the resume
   * storm, `startMs` is when they reconnect: each fan's time counts from it.
   */
  constructor(dropped: number, startMs: number) {
    this.#dropped = dropped;
    this.#startMs = startMs;
  }

  get settled(): number {
    return this.#resumed + this.#failed;
  }

  /** A fan's new welcome, now. */
  welcomed(welcome: WelcomeInfo): void {
    this.#latency.record(nowMs() - this.#startMs);
    this.#continuity[welcome.continuity] = (this.#continuity[welcome.continuity] ?? 0) + 1;
    this.#recovered += welcome.recovered;
    this.#resumed++;
  }

  /** A fan that did not come back; the first reason is kept for the report. */
  failed(fanIndex: number, reason: unknown): void {
    this.#failed++;
    this.#firstFailure ??= `fan ${fanIndex}: ${reason instanceof Error ? reason.message : String(reason)}`;
  }

  result(): RecoveryResult {
    return {
      dropped: this.#dropped,
      resumed: this.#resumed,
      failed: this.#failed,
      recovered: this.#recovered,
      firstFailure: this.#firstFailure,
      continuity: { ...this.#continuity },
      latency: this.#latency.snapshot(),
    };
  }
}

/** The generators' tallies summed: fans dropped and back, the resume times, continuities. */
export interface RecoverySum {
  dropped: number;
  resumed: number;
  latency: Histogram;
  continuity: Record<string, number>;
  /** The first generator's first fan that did not come back, if any did not. */
  firstFailure: string | undefined;
}

export function sumRecoveries(results: readonly RecoveryResult[]): RecoverySum {
  const sum: RecoverySum = {
    dropped: 0,
    resumed: 0,
    latency: new Histogram(),
    continuity: {},
    firstFailure: results.find((r) => r.firstFailure !== undefined)?.firstFailure,
  };
  for (const r of results) {
    sum.dropped += r.dropped;
    sum.resumed += r.resumed;
    sum.latency.merge(r.latency);
    for (const [k, n] of Object.entries(r.continuity)) {
      sum.continuity[k] = (sum.continuity[k] ?? 0) + n;
    }
  }
  return sum;
}
