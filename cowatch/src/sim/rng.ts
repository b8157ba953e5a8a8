// A small seeded PRNG (mulberry32) so every simulated run is reproducible from its seed. Not
// cryptographic, not meant to be: 32 bits of state is plenty for drawing delays and latencies.

export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Exponentially distributed with the given mean (the gap between Poisson arrivals). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A new generator whose stream depends on this one's seed and `label`, not on draw order. */
  fork(label: number): Rng {
    return new Rng(Math.imul(this.#state ^ Math.imul(label + 1, 0x9e3779b1), 0x85ebca6b));
  }
}
