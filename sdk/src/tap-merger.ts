// Reaction taps merged on the client. A fan mashing 🔥 would otherwise send a frame per tap and
// trip the gateway's frame flood limit; instead taps are counted per emoji and sent at most once
// per emoji per window. What it drops: nothing while connected (a count above REACT_MAX_COUNT is
// carried into the next window, never truncated); everything pending when the session ends, since
// reactions are a live signal and stale taps replayed after a reconnect would mislead.

import { REACT_MAX_COUNT, type ReactionEmoji } from '@fanfare/protocol';
import type { Clock, TimerHandle } from './clock.js';

export interface TapMergerOptions {
  clock: Clock;
  /** The window, ms: at most one frame per emoji per window. */
  flushMs: number;
  /** Sends one `react` frame; `count` is 1..REACT_MAX_COUNT. */
  send(emoji: ReactionEmoji, count: number): void;
}

export class TapMerger {
  #options: TapMergerOptions;
  /** Taps not yet sent, per emoji, in first-tap order. */
  #pending = new Map<ReactionEmoji, number>();
  #timer: TimerHandle | undefined;

  constructor(options: TapMergerOptions) {
    this.#options = options;
  }

  /** Taps not yet sent for `emoji`. */
  pending(emoji: ReactionEmoji): number {
    return this.#pending.get(emoji) ?? 0;
  }

  /**
   * Counts `count` taps. The first tap of a quiet period opens a window; its taps leave when the
   * window ends, so a single tap is delayed by at most `flushMs`.
   */
  tap(emoji: ReactionEmoji, count: number): void {
    if (!(Number.isInteger(count) && count > 0)) {
      throw new RangeError(`tap count must be a positive integer, got ${count}`);
    }
    this.#pending.set(emoji, this.pending(emoji) + count);
    this.#timer ??= this.#options.clock.setTimeout(() => this.#flush(), this.#options.flushMs);
  }

  /** Drops every pending tap and stops the window timer. */
  clear(): void {
    this.#pending.clear();
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    this.#timer = undefined;
    for (const [emoji, count] of [...this.#pending]) {
      const sent = Math.min(count, REACT_MAX_COUNT);
      if (sent === count) this.#pending.delete(emoji);
      else this.#pending.set(emoji, count - sent);
      this.#options.send(emoji, sent);
    }
    // Leftovers above the per-frame cap go out one window later, keeping one frame per window.
    if (this.#pending.size > 0) {
      this.#timer = this.#options.clock.setTimeout(() => this.#flush(), this.#options.flushMs);
    }
  }
}
