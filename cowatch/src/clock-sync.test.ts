import { describe, expect, it } from 'vitest';
import { ClockSync, CLOCK_RESOLUTION_MS, MIN_SAMPLES } from './clock-sync.js';
import type { SampleVerdict } from './clock-sync.js';
import { Rng } from './sim/rng.js';

/** A hand-driven exchange: local clock at `local`, server clock = local + `offset`. */
class Bench {
  local = 1_000_000;
  offset: number;
  /** Every exchange's own offset reading, as a plain average would use them. */
  readonly readings: number[] = [];
  readonly sync = new ClockSync({ clock: { now: () => this.local } });

  /** The server's clock runs this much faster than the local one, ppm. */
  readonly driftPpm: number;
  readonly #start = this.local;

  constructor(offset: number, driftPpm = 0) {
    this.offset = offset;
    this.driftPpm = driftPpm;
  }

  /** Server clock minus local clock at local time `local`. */
  trueOffset(local = this.local): number {
    return this.offset + ((local - this.#start) * this.driftPpm) / 1e6;
  }

  /** One exchange taking `up` ms to the server and `down` ms back, then `gap` ms of quiet. */
  exchange(up: number, down: number, gap = 1_000): SampleVerdict {
    const t0 = this.local;
    const serverTime = t0 + up + this.trueOffset(t0 + up);
    this.local += up + down;
    this.readings.push(serverTime - (t0 + this.local) / 2);
    const verdict = this.sync.sample(t0, serverTime, this.local);
    this.local += gap;
    return verdict;
  }

  get error(): number {
    return this.sync.offsetMs - this.trueOffset();
  }
}

describe('ClockSync', () => {
  it('converges to the true offset within the path asymmetry bound, and the bound holds it', () => {
    const rng = new Rng(42);
    const b = new Bench(-3_217.4);
    const [up, down] = [40, 120];
    for (let i = 0; i < 16; i++) {
      b.exchange(up + rng.uniform(0, 100), down + rng.uniform(0, 100));
      // Causality guarantee: the truth is always inside offset +/- errorBound.
      expect(Math.abs(b.error)).toBeLessThanOrEqual(b.sync.errorBoundMs + 1e-9);
    }
    // The part no exchange can see is |up - down| / 2 = 40 ms; the estimate sits near it.
    expect(Math.abs(b.error)).toBeGreaterThan(15);
    expect(Math.abs(b.error)).toBeLessThan(40 + 10);
  });

  it('is exact on a symmetric path once one exchange meets no queueing', () => {
    const rng = new Rng(7);
    const b = new Bench(4_321);
    for (let i = 0; i < 6; i++) b.exchange(50 + rng.uniform(5, 100), 50 + rng.uniform(5, 100));
    b.exchange(50, 50);
    expect(Math.abs(b.error)).toBeLessThanOrEqual(CLOCK_RESOLUTION_MS + 0.01);
  });

  it('picks the low-delay samples over jittery ones that a plain average would follow', () => {
    const rng = new Rng(3);
    const b = new Bench(1_500);
    b.exchange(30, 30, 0);
    // Requests queue for 50-300 ms more (one-sided congestion): each such reading says "later".
    for (let i = 0; i < 15; i++) b.exchange(30 + rng.uniform(50, 300), 30, 0);
    const mean = b.readings.reduce((a, x) => a + x, 0) / b.readings.length;
    expect(mean - b.offset).toBeGreaterThan(50);
    expect(Math.abs(b.error)).toBeLessThanOrEqual(CLOCK_RESOLUTION_MS + 0.5);
    // Half the clean exchange's round trip, plus what an unknown rate (up to MAX_DRIFT_PPM)
    // could have moved the offset since (about 3 s of samples here).
    expect(b.sync.errorBoundMs).toBeLessThanOrEqual(30 + CLOCK_RESOLUTION_MS + 3_500 / 100);
  });

  it('bounds the error by half the best round trip', () => {
    const b = new Bench(0);
    b.exchange(80, 20, 0);
    // Half the round trip, at the exchange's midpoint 50 ms ago (no rate known yet: 1 % of it).
    expect(b.sync.errorBoundMs).toBeCloseTo(50 + CLOCK_RESOLUTION_MS + 0.5, 6);
    b.exchange(15, 15, 0);
    expect(b.sync.errorBoundMs).toBeLessThanOrEqual(15 + CLOCK_RESOLUTION_MS + 0.15 + 0.01);
  });

  it('widens the bound as the estimate ages (clocks drift)', () => {
    const b = new Bench(0);
    b.exchange(10, 10, 0);
    const fresh = b.sync.errorBoundMs;
    b.local += 60_000;
    expect(b.sync.errorBoundMs).toBeCloseTo(fresh + 600, 6); // one sample: no rate yet, 1 % of 60 s
  });

  it('is synced only after MIN_SAMPLES exchanges', () => {
    const b = new Bench(0);
    for (let i = 1; i < MIN_SAMPLES; i++) b.exchange(10, 10);
    expect(b.sync.synced).toBe(false);
    b.exchange(10, 10);
    expect(b.sync.synced).toBe(true);
  });

  it('lists the window it stands on, oldest first, as copies', () => {
    const sync = new ClockSync({ clock: { now: () => 0 } });
    expect(sync.sample(1_000, 5_050, 1_100)).toBe('accepted');
    expect(sync.sample(2_000, 6_030, 2_080)).toBe('accepted');
    const seen = sync.samples;
    expect(seen.map((s) => [s.t0, s.serverTime, s.t1, s.rttMs])).toEqual([
      [1_000, 5_050, 1_100, 100],
      [2_000, 6_030, 2_080, 80],
    ]);
    seen[0]!.serverTime = 0;
    expect(sync.samples[0]!.serverTime).toBe(5_050);
  });

  it('rejects negative and overlong round trips', () => {
    const sync = new ClockSync({ clock: { now: () => 0 } });
    expect(sync.sample(1_000, 5_000, 990)).toBe('rejected');
    expect(sync.sample(1_000, 5_000, 1_000 + 60_000)).toBe('rejected');
    expect(sync.sample(1_000, Number.NaN, 1_100)).toBe('rejected');
    expect(sync.sampleCount).toBe(0);
  });

  it('ignores a lone outlier and keeps its estimate', () => {
    const b = new Bench(250);
    for (let i = 0; i < 6; i++) b.exchange(20, 20);
    const before = b.sync.offsetMs;
    b.offset += 2_000; // one bogus server stamp
    expect(b.exchange(20, 20)).toBe('outlier');
    expect(b.sync.suspect).toBe(true);
    b.offset -= 2_000;
    expect(b.exchange(20, 20)).toBe('accepted');
    expect(b.sync.suspect).toBe(false);
    expect(b.sync.offsetMs).toBeCloseTo(before, 6);
  });

  it('follows a clock step once consecutive samples confirm it', () => {
    const b = new Bench(250);
    for (let i = 0; i < 8; i++) b.exchange(20, 20);
    b.local += 2_000; // the local clock jumps forward: the offset drops by 2 s
    b.offset -= 2_000;
    expect(b.exchange(20, 20)).toBe('outlier');
    expect(b.exchange(20, 20)).toBe('outlier');
    expect(Math.abs(b.error)).toBeGreaterThan(1_900);
    expect(b.exchange(20, 20)).toBe('step');
    expect(Math.abs(b.error)).toBeLessThanOrEqual(CLOCK_RESOLUTION_MS);
    expect(b.sync.sampleCount).toBe(3);
  });

  it.each([500, -1_000, 5_000])(
    'follows a server clock %i ppm off: learns the rate, stays within a few ms, never unsynced',
    (ppm) => {
      const rng = new Rng(9);
      const b = new Bench(1_234.5, ppm);
      const verdicts = new Set<SampleVerdict>();
      for (let i = 0; i < 8; i++)
        verdicts.add(b.exchange(40 + rng.uniform(0, 80), 40 + rng.uniform(0, 80), 100));
      const errors: number[] = [];
      for (let i = 0; i < 300; i++) {
        verdicts.add(b.exchange(40 + rng.uniform(0, 80), 40 + rng.uniform(0, 80), 2_000));
        // Read between pings too: the estimate runs at the fitted rate.
        b.local += 1_000;
        expect(b.sync.synced).toBe(true);
        if (i >= 60) errors.push(Math.abs(b.error));
        expect(Math.abs(b.error)).toBeLessThanOrEqual(b.sync.errorBoundMs);
        b.local -= 1_000;
      }
      expect([...verdicts]).toEqual(['accepted']);
      // 40-120 ms each way: the window's fastest legs are a few ms over 40 ms. (The fit judges
      // its spread on the effective number of readings, which costs a few ms here at 500 ppm,
      // 10.7 ms against 7.9 before, and stops it believing a quartz clock drifts 2,600 ppm.)
      errors.sort((x, y) => x - y);
      expect(errors[Math.floor(errors.length * 0.95)]).toBeLessThan(12);
      expect(Math.abs(b.sync.ratePpm - ppm)).toBeLessThan(100);
    },
  );

  it('stays synced through a clock step, and through a restart until new samples are in', () => {
    const b = new Bench(250);
    for (let i = 0; i < 8; i++) b.exchange(20, 20);
    b.local += 2_000;
    b.offset -= 2_000;
    b.exchange(20, 20);
    b.exchange(20, 20);
    expect(b.exchange(20, 20)).toBe('step');
    expect(b.sync.synced).toBe(true);
    expect(Math.abs(b.error)).toBeLessThanOrEqual(CLOCK_RESOLUTION_MS);
    b.sync.restart();
    expect(b.sync.synced).toBe(true);
    expect(b.sync.sampleCount).toBe(0);
    expect(Math.abs(b.error)).toBeLessThanOrEqual(CLOCK_RESOLUTION_MS + 1);
    b.offset += 7; // the new connection ends at a server whose clock is 7 ms off
    for (let i = 0; i < MIN_SAMPLES; i++) b.exchange(20, 20);
    expect(Math.abs(b.error)).toBeLessThanOrEqual(CLOCK_RESOLUTION_MS);
  });

  it('forgets everything on reset', () => {
    const b = new Bench(99);
    for (let i = 0; i < 5; i++) b.exchange(20, 20);
    b.sync.reset();
    expect(b.sync.synced).toBe(false);
    expect(b.sync.errorBoundMs).toBe(Infinity);
    expect(b.sync.offsetMs).toBe(0);
  });
});
