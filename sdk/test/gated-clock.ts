// The real clock with a pause button: while held, new timers wait for `release()` instead of
// starting. A test holds it to keep a dropped client from reconnecting until the messages it must
// resume have been sent; the client's own timer still performs the reconnect.

import type { Clock, TimerHandle } from '../src/index.js';

interface Gated {
  fn: () => void;
  ms: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  cancelled: boolean;
}

export class GatedClock implements Clock {
  #held: Gated[] | undefined;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const gated: Gated = { fn, ms, timer: undefined, cancelled: false };
    if (this.#held) this.#held.push(gated);
    else gated.timer = setTimeout(fn, ms);
    return gated;
  }

  clearTimeout(handle: TimerHandle): void {
    const gated = handle as Gated;
    gated.cancelled = true;
    if (gated.timer) clearTimeout(gated.timer);
  }

  hold(): void {
    this.#held ??= [];
  }

  /** Starts every timer set while held, each with its full delay. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const gated of held) {
      if (!gated.cancelled) gated.timer = setTimeout(gated.fn, gated.ms);
    }
  }
}
