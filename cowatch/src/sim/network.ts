// One member's connection to the server: a fixed base delay per direction (different up and down:
// the asymmetry no clock protocol can see) plus per-message jitter. Delivery is in order per
// direction, as on the WebSocket's TCP stream: a message never overtakes the one before it.

import type { Rng } from './rng.js';
import type { SimScheduler } from './scheduler.js';

export interface LinkSpec {
  /** Base one-way delay member to server, ms. */
  upMs: number;
  /** Base one-way delay server to member, ms. */
  downMs: number;
  /** Extra delay per message, uniform in [0, jitterMs). */
  jitterMs: number;
}

export class Link {
  readonly spec: LinkSpec;
  readonly #sched: SimScheduler;
  readonly #rng: Rng;
  #lastUp = 0;
  #lastDown = 0;

  constructor(sched: SimScheduler, rng: Rng, spec: LinkSpec) {
    this.#sched = sched;
    this.#rng = rng;
    this.spec = spec;
  }

  /** |up - down| / 2, ms: the offset error an ideal two-way exchange still makes on this path. */
  get asymmetryBoundMs(): number {
    return Math.abs(this.spec.upMs - this.spec.downMs) / 2;
  }

  /** Delivers `fn` at the server end. */
  up(fn: () => void): void {
    this.#lastUp = this.#send(this.spec.upMs, this.#lastUp, fn);
  }

  /** Delivers `fn` at the member end. */
  down(fn: () => void): void {
    this.#lastDown = this.#send(this.spec.downMs, this.#lastDown, fn);
  }

  #send(baseMs: number, last: number, fn: () => void): number {
    const at = Math.max(last, this.#sched.now + baseMs + this.#rng.uniform(0, this.spec.jitterMs));
    this.#sched.at(at, fn);
    return at;
  }
}
