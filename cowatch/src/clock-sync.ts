// NTP-style estimate of the server's clock against this client's, from ping/pong exchanges: the
// offset between the clocks and the rate at which it changes (clocks drift: quartz by tens of
// ppm, a VM's clock by thousands). Transport-agnostic: feed it (t0, serverTime, t1) triples.
// Trade-off: the offset is bounded by causality alone (no delay model), so it is exact up to the
// path asymmetry, which no two-way protocol can observe; the rate is bounded the same way by the
// lowest-delay exchanges, so it needs tens of seconds of samples to get tight.

import type { Clock } from './clock.js';

/** Samples kept. 16 pings every 5 s span 80 s: long enough to catch a quiet moment of the path. */
export const SAMPLE_WINDOW = 16;
/**
 * Samples the rate is fitted over (the offset uses the last SAMPLE_WINDOW of them): a rate needs
 * a long baseline, 64 pings every 2 s span two minutes.
 */
export const RATE_WINDOW = 64;
/** Samples needed before `synced`: one burst's worth of chances to see a low-delay exchange. */
export const MIN_SAMPLES = 4;
/**
 * The least rate uncertainty ever assumed, ppm: once the rate between the clocks is fitted, a
 * sample's interval still widens by this much per ms of age (a fit over 80 s of samples a few ms
 * apart is good to tens of ppm; clocks also wander).
 */
export const DRIFT_ALLOWANCE_PPM = 100;
/**
 * The largest rate difference followed, ppm: before any fit, intervals widen this fast with age.
 * Quartz is within +/-50 ppm; a VM's wall clock has been seen 5,000 ppm off. Beyond 1 % the
 * estimate still follows, through clock-step detection, but not smoothly.
 */
export const MAX_DRIFT_PPM = 10_000;
/**
 * The reading noise assumed of the quietest exchanges when fitting the rate, ms: even the fastest
 * exchange in a window has queued a little, and a few ms of it is common on real paths.
 */
export const RATE_NOISE_MS = 3;
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
  maxDriftPpm?: number;
  resolutionMs?: number;
  maxRttMs?: number;
}

interface Interval {
  lo: number;
  hi: number;
}

/** The rate between the clocks: server ms per local ms minus one, and its uncertainty. */
interface Rate {
  slope: number;
  uncertainty: number;
}

/** The estimate: offset at local time `at`, its rate, and half the width of its interval. */
interface Estimate {
  offset: number;
  at: number;
  rate: Rate;
  bound: number;
}

/**
 * Holds the recent samples and the estimate.
 *
 * Each exchange proves `offset - rtt/2 <= trueOffset <= offset + rtt/2` at its midpoint: the
 * request and the reply each took between 0 and `rtt`. Queueing delay only ever adds to a leg, so
 * a slow exchange gives a wide interval and a fast one a narrow one.
 *
 * The rate: the range of slopes for which one line passes within each sample's excess delay over
 * the window's fastest exchange (the path's asymmetry is constant, so it cancels out of a rate),
 * its middle as the estimate and half its width, at least DRIFT_ALLOWANCE_PPM, as the uncertainty.
 * The quiet exchanges set it, as they do in NTP's and chrony's filters.
 *
 * The offset: every interval is carried to now along the fitted rate, widened by the rate's
 * uncertainty times its age, and the estimate is the midpoint of their intersection, i.e. it is
 * set by the lowest-delay samples; jittery samples cannot pull it away, they only fail to narrow
 * it. Between samples, `serverNow()` runs at the fitted rate.
 */
export class ClockSync {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #windowSize: number;
  readonly #minSamples: number;
  readonly #floorRate: number;
  readonly #maxRate: number;
  readonly #resolutionMs: number;
  readonly #maxRttMs: number;
  #samples: ClockSample[] = [];
  /** The longer history the rate is fitted over; `#samples` is its tail. */
  #history: ClockSample[] = [];
  #suspects: ClockSample[] = [];
  #estimate: Estimate | undefined;
  /** The rate carried over a step or a restart, until the new window fits a tighter one. */
  #priorRate: Rate;
  /** The estimate served after `restart()` until the new window has `minSamples`. */
  #carried: Estimate | undefined;
  /** A step was followed: the window's few samples are trusted at once (no idle re-sync). */
  #stepped = false;

  constructor(options: ClockSyncOptions) {
    this.#clock = options.clock;
    this.#windowSize = options.windowSize ?? SAMPLE_WINDOW;
    this.#minSamples = options.minSamples ?? MIN_SAMPLES;
    this.#floorRate = (options.driftAllowancePpm ?? DRIFT_ALLOWANCE_PPM) / 1e6;
    this.#maxRate = (options.maxDriftPpm ?? MAX_DRIFT_PPM) / 1e6;
    this.#resolutionMs = options.resolutionMs ?? CLOCK_RESOLUTION_MS;
    this.#maxRttMs = options.maxRttMs ?? MAX_RTT_MS;
    this.#priorRate = { slope: 0, uncertainty: this.#maxRate };
  }

  /** Records one exchange. `t0`/`t1` are local ms, `serverTime` server ms. */
  sample(t0: number, serverTime: number, t1: number): SampleVerdict {
    const rttMs = t1 - t0;
    if (![t0, serverTime, t1].every(Number.isFinite) || rttMs < 0 || rttMs > this.#maxRttMs) {
      // A negative round trip means the local clock stepped back mid-exchange.
      return 'rejected';
    }
    const s: ClockSample = { t0, serverTime, t1, offsetMs: serverTime - (t0 + t1) / 2, rttMs };
    const rate = this.#estimate?.rate ?? this.#priorRate;
    if (
      this.#samples.length === 0 ||
      overlaps(this.#intersect(this.#samples, t1, rate), this.#interval(s, t1, rate))
    ) {
      this.#suspects = [];
      this.#samples.push(s);
      if (this.#samples.length > this.#windowSize) this.#samples.shift();
      this.#history.push(s);
      if (this.#history.length > RATE_WINDOW) this.#history.shift();
      this.#refresh(t1);
      return 'accepted';
    }
    // Intervals of honest samples always overlap (each contains the true offset), so a sample that
    // contradicts the window is either bad or the first of a clock step. Only consistent repeats
    // prove a step; a lone outlier is dropped when the next good sample arrives.
    const suspects = [...this.#suspects, s];
    this.#suspects = this.#intersect(suspects, t1, rate) ? suspects : [s];
    if (this.#suspects.length < STEP_CONFIRM_SAMPLES) return 'outlier';
    // The offset jumped; the rate between the clocks did not: keep it until the new window fits.
    this.#stepped = this.synced;
    this.#priorRate = rate;
    this.#carried = undefined;
    this.#samples = this.#suspects.slice(-this.#windowSize);
    this.#history = [...this.#samples];
    this.#suspects = [];
    this.#refresh(t1);
    return 'step';
  }

  /** Forgets every sample and the rate (a new clock altogether). */
  reset(): void {
    this.#samples = [];
    this.#history = [];
    this.#suspects = [];
    this.#estimate = undefined;
    this.#carried = undefined;
    this.#stepped = false;
    this.#priorRate = { slope: 0, uncertainty: this.#maxRate };
  }

  /**
   * Starts a new window (say, after reconnecting, maybe to another server whose clock differs by a
   * few ms) without going unsynced: the old estimate keeps serving, at its rate and with its bound
   * growing, until the new window has `minSamples` samples; the rate carries over until the new
   * window fits a tighter one.
   */
  restart(): void {
    const current = this.#current();
    this.#samples = [];
    this.#history = [];
    this.#suspects = [];
    this.#estimate = undefined;
    this.#stepped = false;
    if (current) {
      this.#carried = current;
      this.#priorRate = current.rate;
    }
  }

  /** True once `minSamples` consistent samples arrived (or an earlier estimate carries over). */
  get synced(): boolean {
    return this.#samples.length >= this.#minSamples || this.#stepped || this.#carried !== undefined;
  }

  /** Samples in the window. */
  get sampleCount(): number {
    return this.#samples.length;
  }

  /**
   * The exchanges in the window, oldest first (copies): the evidence the estimate stands on. For
   * diagnostics, and for tests that know the true clock and want the asymmetry these exchanges
   * leave (no estimator can see it: docs/cowatch.md).
   */
  get samples(): ClockSample[] {
    return this.#samples.map((s) => ({ ...s }));
  }

  /**
   * The longest round trip in the window, ms (undefined while it is empty): how long a message
   * from the server may take to arrive, whatever the split between the legs (the party uses it
   * to schedule starts far enough ahead for its slowest member).
   */
  get pathMs(): number | undefined {
    if (this.#samples.length === 0) return undefined;
    return Math.max(...this.#samples.map((s) => s.rttMs));
  }

  /** True while outliers are held aside, i.e. a clock step may be under way. */
  get suspect(): boolean {
    return this.#suspects.length > 0;
  }

  /** Server clock minus local clock now, ms; 0 before the first sample. */
  get offsetMs(): number {
    const e = this.#current();
    return e ? e.offset + e.rate.slope * (this.#clock.now() - e.at) : 0;
  }

  /** How much faster the server's clock runs than the local one, ppm (0 until fitted). */
  get ratePpm(): number {
    return (this.#current()?.rate.slope ?? 0) * 1e6;
  }

  /** The rate's uncertainty, ppm (MAX_DRIFT_PPM until fitted). */
  get rateUncertaintyPpm(): number {
    return (this.#current()?.rate.uncertainty ?? this.#maxRate) * 1e6;
  }

  /**
   * Half the width of the offset interval, ms: the true offset lies within `offsetMs +/- this`
   * (causality alone; at most half the best round trip, plus the rate's uncertainty times the
   * estimate's age). Infinity before the first sample. The part of it no protocol removes is the
   * path asymmetry: see docs/cowatch.md.
   */
  get errorBoundMs(): number {
    const e = this.#current();
    if (!e) return Infinity;
    return e.bound + Math.max(0, this.#clock.now() - e.at) * e.rate.uncertainty;
  }

  /** The server's clock now, ms since the epoch, as far as the samples tell. */
  serverNow(): number {
    return this.#clock.now() + this.offsetMs;
  }

  /** The estimate in force: the window's, or the one carried over a restart until it is ready. */
  #current(): Estimate | undefined {
    if (this.#carried && this.#samples.length < this.#minSamples) return this.#carried;
    return this.#estimate;
  }

  #refresh(now: number): void {
    if (this.#samples.length >= this.#minSamples) this.#carried = undefined;
    const fitted = this.#fitRate(now);
    const chosen =
      fitted && fitted.uncertainty < this.#priorRate.uncertainty ? fitted : this.#priorRate;
    // A slope within its uncertainty of zero is noise as likely as drift: run at zero, with an
    // uncertainty that still covers it, so a young fit cannot tilt the old samples. (The
    // uncertainty is three standard errors on the effective number of readings, so one is
    // enough of a margin.)
    const significant = Math.abs(chosen.slope) > chosen.uncertainty;
    const rate = significant
      ? chosen
      : {
          slope: 0,
          uncertainty: Math.min(this.#maxRate, chosen.uncertainty + Math.abs(chosen.slope)),
        };
    const range = this.#intersect(this.#samples, now, rate);
    // The window was built from mutually overlapping samples, so the intersection exists; guard
    // anyway against the widening-by-age rounding at the edges.
    if (!range) return;
    // The bound takes the rate's whole uncertainty; the estimate takes only as much of it as the
    // samples need to agree, so old samples widened for a rate that may be off do not pull the
    // midpoint away from the fastest exchanges.
    let loose = rate.uncertainty;
    if (!this.#intersect(this.#samples, now, { ...rate, uncertainty: this.#floorRate })) {
      let tight = this.#floorRate;
      for (let i = 0; i < 30; i++) {
        const mid = (tight + loose) / 2;
        if (this.#intersect(this.#samples, now, { ...rate, uncertainty: mid })) loose = mid;
        else tight = mid;
      }
    } else {
      loose = this.#floorRate;
    }
    const core = this.#intersect(this.#samples, now, { ...rate, uncertainty: loose }) ?? range;
    const offset = (core.lo + core.hi) / 2;
    this.#estimate = {
      offset,
      at: now,
      rate,
      bound: Math.max(range.hi - offset, offset - range.lo),
    };
  }

  /**
   * The rate between the clocks: a weighted least-squares line through the window's offsets
   * against local time. The path's asymmetry is constant, so it drops out of a slope; what moves a
   * reading is queueing, which shows as excess delay over the window's fastest exchange, so each
   * reading weighs `1 / (excess^2 + RATE_NOISE_MS^2)`: the quiet exchanges set the line, as in
   * NTP's and chrony's filters. The uncertainty is three standard errors (from the residuals when
   * they are worse than the weights assume, over the effective number of readings), at least
   * DRIFT_ALLOWANCE_PPM. Undefined while it
   * cannot beat MAX_DRIFT_PPM (under three samples, or a span of a second or so).
   */
  #fitRate(now: number): Rate | undefined {
    const samples = this.#history;
    if (samples.length < 3) return undefined;
    const minRtt = Math.min(...samples.map((s) => s.rttMs));
    let sw = 0;
    let st = 0;
    let so = 0;
    const points = samples.map((s) => {
      const excess = (s.rttMs - minRtt) / 2;
      const w = 1 / (excess * excess + RATE_NOISE_MS * RATE_NOISE_MS);
      const t = (s.t0 + s.t1) / 2 - now;
      sw += w;
      st += w * t;
      so += w * s.offsetMs;
      return { w, t, o: s.offsetMs };
    });
    const tMean = st / sw;
    const oMean = so / sw;
    let sxx = 0;
    let sxy = 0;
    for (const p of points) {
      sxx += p.w * (p.t - tMean) ** 2;
      sxy += p.w * (p.t - tMean) * (p.o - oMean);
    }
    if (!(sxx > 0)) return undefined;
    const slope = sxy / sxx;
    let chi2 = 0;
    for (const p of points) chi2 += p.w * (p.o - oMean - slope * (p.t - tMean)) ** 2;
    // The spread is judged on the effective number of readings (Kish's (Σw)² / Σw²), not on
    // their count: when a burst's fastest exchange and one quiet exchange later carry nearly all
    // the weight, the line through them fits them exactly and looks tight while saying little (a
    // simulated quartz clock, 49 ppm, was fitted at 2,620 ± 1,215 ppm for ten seconds that way).
    let sw2 = 0;
    for (const p of points) sw2 += p.w * p.w;
    const dof = Math.max(1, (sw * sw) / sw2 - 2);
    const variance = Math.max(1, chi2 / dof);
    const uncertainty = Math.max(this.#floorRate, 3 * Math.sqrt(variance / sxx));
    if (uncertainty >= this.#maxRate) return undefined;
    return { slope, uncertainty };
  }

  /** The sample's interval for the offset at local time `now`, carried along `rate`. */
  #interval(s: ClockSample, now: number, rate: Rate): Interval {
    const age = Math.abs(now - (s.t0 + s.t1) / 2);
    const center = s.offsetMs + rate.slope * (now - (s.t0 + s.t1) / 2);
    const slack = s.rttMs / 2 + this.#resolutionMs + age * rate.uncertainty;
    return { lo: center - slack, hi: center + slack };
  }

  #intersect(samples: readonly ClockSample[], now: number, rate: Rate): Interval | undefined {
    let lo = -Infinity;
    let hi = Infinity;
    for (const s of samples) {
      const i = this.#interval(s, now, rate);
      lo = Math.max(lo, i.lo);
      hi = Math.min(hi, i.hi);
    }
    return lo <= hi ? { lo, hi } : undefined;
  }
}

function overlaps(a: Interval | undefined, b: Interval): boolean {
  return a !== undefined && a.lo <= b.hi && b.lo <= a.hi;
}
