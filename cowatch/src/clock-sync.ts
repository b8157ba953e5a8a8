// NTP-style estimate of the offset between this client's clock and the server's, from ping/pong
// exchanges. Transport-agnostic: feed it (t0, serverTime, t1) triples. Trade-off: it bounds the
// offset by causality alone (no delay model), so it is exact up to the path asymmetry, which no
// two-way protocol can observe, and it needs a few exchanges before the bound is tight.

import type { Clock } from './clock.js';

/** Samples kept. 16 pings every 5 s span 80 s: long enough to catch a quiet moment of the path. */
export const SAMPLE_WINDOW = 16;
/** Samples needed before `synced`: one burst's worth of chances to see a low-delay exchange. */
export const MIN_SAMPLES = 4;
/**
 * How fast two clocks may drift apart, parts per million. Quartz oscillators are within +/-50 ppm;
 * doubling it covers a clock being slewed. A sample's interval widens by this much per ms of age.
 */
export const DRIFT_ALLOWANCE_PPM = 100;
/** Timestamp resolution (the server stamps whole ms; browsers coarsen `performance.now()`). */
export const CLOCK_RESOLUTION_MS = 1;
/** Exchanges slower than this say more about a stalled socket than about the clocks. */
export const MAX_RTT_MS = 5_000;
/** Consecutive mutually consistent outliers that prove a clock step rather than a bad sample. */
export const STEP_CONFIRM_SAMPLES = 3;

/** One exchange: sent at local `t0`, stamped by the server at `serverTime`, received at local `t1`. */
export interface ClockSample {
  t0: number;
  serverTime: number;
  t1: number;
  /** `serverTime - (t0 + t1) / 2`: server clock minus local clock if the path were symmetric. */
  offsetMs: number;
  /** `t1 - t0`. */
  rttMs: number;
}

/**
 * - `accepted`: consistent with the other samples; the estimate may have tightened.
 * - `outlier`: contradicts the samples held (a clock step or a bad exchange); held aside.
 * - `step`: enough consistent outliers arrived: a clock stepped, the window restarted from them.
 * - `rejected`: unusable (negative or too long round trip, non-finite numbers).
 */
export type SampleVerdict = 'accepted' | 'outlier' | 'step' | 'rejected';

export interface ClockSyncOptions {
  /** The local clock the samples' `t0`/`t1` come from. */
  clock: Pick<Clock, 'now'>;
  windowSize?: number;
  minSamples?: number;
  driftAllowancePpm?: number;
  resolutionMs?: number;
  maxRttMs?: number;
}

interface Interval {
  lo: number;
  hi: number;
}

/**
 * Holds the recent samples and the offset estimate.
 *
 * Each exchange proves `offset - rtt/2 <= trueOffset <= offset + rtt/2`: the request and the reply
 * each took between 0 and `rtt`. Queueing delay only ever adds to a leg, so a slow exchange gives a
 * wide interval and a fast one a narrow one. The estimate is the midpoint of the intersection of the
 * intervals in the window, i.e. it is set by the lowest-delay samples (the fastest request leg and
 * the fastest reply leg seen); jittery samples cannot pull it away, they only fail to narrow it.
 * Intervals widen with age by the drift allowance, so recent samples win as clocks wander.
 */
export class ClockSync {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #windowSize: number;
  readonly #minSamples: number;
  readonly #driftPerMs: number;
  readonly #resolutionMs: number;
  readonly #maxRttMs: number;
  #samples: ClockSample[] = [];
  #suspects: ClockSample[] = [];
  #offsetMs = 0;
  #boundMs = Infinity;
  #estimatedAt = 0;

  constructor(options: ClockSyncOptions) {
    this.#clock = options.clock;
    this.#windowSize = options.windowSize ?? SAMPLE_WINDOW;
    this.#minSamples = options.minSamples ?? MIN_SAMPLES;
    this.#driftPerMs = (options.driftAllowancePpm ?? DRIFT_ALLOWANCE_PPM) / 1e6;
    this.#resolutionMs = options.resolutionMs ?? CLOCK_RESOLUTION_MS;
    this.#maxRttMs = options.maxRttMs ?? MAX_RTT_MS;
  }

  /** Records one exchange. `t0`/`t1` are local ms, `serverTime` server ms. */
  sample(t0: number, serverTime: number, t1: number): SampleVerdict {
    const rttMs = t1 - t0;
    if (![t0, serverTime, t1].every(Number.isFinite) || rttMs < 0 || rttMs > this.#maxRttMs) {
      // A negative round trip means the local clock stepped back mid-exchange.
      return 'rejected';
    }
    const s: ClockSample = { t0, serverTime, t1, offsetMs: serverTime - (t0 + t1) / 2, rttMs };
    if (
      this.#samples.length === 0 ||
      overlaps(this.#intersect(this.#samples, t1), this.#interval(s, t1))
    ) {
      this.#suspects = [];
      this.#samples.push(s);
      if (this.#samples.length > this.#windowSize) this.#samples.shift();
      this.#estimate(t1);
      return 'accepted';
    }
    // Intervals of honest samples always overlap (each contains the true offset), so a sample that
    // contradicts the window is either bad or the first of a clock step. Only consistent repeats
    // prove a step; a lone outlier is dropped when the next good sample arrives.
    const suspects = [...this.#suspects, s];
    this.#suspects = this.#intersect(suspects, t1) ? suspects : [s];
    if (this.#suspects.length < STEP_CONFIRM_SAMPLES) return 'outlier';
    this.#samples = this.#suspects.slice(-this.#windowSize);
    this.#suspects = [];
    this.#estimate(t1);
    return 'step';
  }

  /** Forgets every sample (say, after reconnecting to another server, whose clock may differ). */
  reset(): void {
    this.#samples = [];
    this.#suspects = [];
    this.#offsetMs = 0;
    this.#boundMs = Infinity;
  }

  /** True once `minSamples` consistent samples arrived; before that `offsetMs` is a rough guess. */
  get synced(): boolean {
    return this.#samples.length >= this.#minSamples;
  }

  /** Samples in the window. */
  get sampleCount(): number {
    return this.#samples.length;
  }

  /** True while outliers are held aside, i.e. a clock step may be under way. */
  get suspect(): boolean {
    return this.#suspects.length > 0;
  }

  /** Server clock minus local clock, ms; 0 before the first sample. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /**
   * Half the width of the offset interval, ms: the true offset lies within `offsetMs +/- this`
   * (causality alone; at most half the best round trip, plus drift since). Infinity before the
   * first sample. The part of it no protocol removes is the path asymmetry: see docs/cowatch.md.
   */
  get errorBoundMs(): number {
    if (this.#samples.length === 0) return Infinity;
    return this.#boundMs + Math.max(0, this.#clock.now() - this.#estimatedAt) * this.#driftPerMs;
  }

  /** The server's clock now, ms since the epoch, as far as the samples tell. */
  serverNow(): number {
    return this.#clock.now() + this.#offsetMs;
  }

  #estimate(now: number): void {
    const range = this.#intersect(this.#samples, now);
    // The window was built from mutually overlapping samples, so the intersection exists; guard
    // anyway against the widening-by-age rounding at the edges.
    if (!range) return;
    this.#offsetMs = (range.lo + range.hi) / 2;
    this.#boundMs = (range.hi - range.lo) / 2;
    this.#estimatedAt = now;
  }

  #interval(s: ClockSample, now: number): Interval {
    const slack = Math.max(0, now - s.t1) * this.#driftPerMs + this.#resolutionMs;
    return { lo: s.offsetMs - s.rttMs / 2 - slack, hi: s.offsetMs + s.rttMs / 2 + slack };
  }

  #intersect(samples: readonly ClockSample[], now: number): Interval | undefined {
    let lo = -Infinity;
    let hi = Infinity;
    for (const s of samples) {
      const i = this.#interval(s, now);
      lo = Math.max(lo, i.lo);
      hi = Math.min(hi, i.hi);
    }
    return lo <= hi ? { lo, hi } : undefined;
  }
}

function overlaps(a: Interval | undefined, b: Interval): boolean {
  return a !== undefined && a.lo <= b.hi && b.lo <= a.hi;
}
