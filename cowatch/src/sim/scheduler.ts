// The simulator's discrete-event core: one virtual true clock and a queue of events. Members see
// time only through `clock()` views (skewed and drifting), so the real ClockSync
// and SyncController run unmodified on virtual time, and a minute of simulation takes milliseconds.

import type { Clock, TimerHandle } from '../clock.js';

interface SimEvent {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** True time starts at 0 ms; events at the same instant run in the order they were scheduled. */
export class SimScheduler {
  #now = 0;
  #seq = 0;
  #heap: SimEvent[] = [];

  /** True time, ms. */
  get now(): number {
    return this.#now;
  }

  /** Runs `fn` at true time `at` (clamped to now). */
  at(at: number, fn: () => void): TimerHandle {
    const ev: SimEvent = { at: Math.max(at, this.#now), seq: this.#seq++, fn, cancelled: false };
    this.#push(ev);
    return ev;
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.at(this.#now + Math.max(0, ms), fn);
  }

  cancel(handle: TimerHandle): void {
    (handle as SimEvent).cancelled = true;
  }

  /** Runs every event due up to true time `end`, then sets the clock to `end`. */
  runUntil(end: number): void {
    for (;;) {
      const top = this.#heap[0];
      if (!top || top.at > end) break;
      this.#pop();
      if (top.cancelled) continue;
      this.#now = top.at;
      top.fn();
    }
    this.#now = Math.max(this.#now, end);
  }

  advance(ms: number): void {
    this.runUntil(this.#now + ms);
  }

  /**
   * A local clock reading `originMs + skewMs + now * (1 + driftPpm / 1e6)`; its timers wait local
   * ms, so a fast clock's timers fire early in true time, as on a real device.
   */
  clock(originMs = 1_700_000_000_000, skewMs = 0, driftPpm = 0): Clock {
    const speed = 1 + driftPpm / 1e6;
    return {
      now: () => originMs + skewMs + this.#now * speed,
      setTimeout: (fn, ms) => this.after(ms / speed, fn),
      clearTimeout: (handle) => this.cancel(handle),
    };
  }

  #push(ev: SimEvent): void {
    const h = this.#heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
