// Spoiler-free delivery: a fan watching behind live must not read "GOAL!" before the goal is on
// their screen. The gate holds what arrives (chat messages, reaction bursts, a poll's result),
// each stamped with the server time of the moment it stands for, and releases it when the
// viewer's own player reaches that moment: when the program date-time of the frame on screen
// (EXT-X-PROGRAM-DATE-TIME, the packager's clock, i.e. the server's) is at or past the stamp.
//
// Contract:
// - Never early: an item is released only once `playerTime() >= at` (as read at release), or at
//   once while `playerTime()` is undefined (no video playing: nothing to spoil) or the gate is
//   `live` (the fan chose to see everything as it happens).
// - Late by at most one timer's lateness: the gate wakes when the head is due, assuming the
//   player runs at up to MAX_PLAYER_RATE (the live-edge steering's bound) and re-reading the
//   player time then, and at least every RECHECK_MS (a seek, a pause, a stall, a source change).
// - Order kept, nothing twice: items leave in the order pushed, each once; an item never
//   overtakes an earlier one (stamps that go backwards hold the later item until the earlier
//   one is due; chat stamps grow with seq, so this costs nothing there).
// - Deletions apply to what is held: `drop` removes held items (a tombstone for a message the
//   fan has not seen yet), `clear` removes all (a lost continuity).
// - Bounded: past `maxHeld` the oldest held items are dropped, not released (a fan paused for an
//   hour gets the recent chat when they resume, not a spoiler).

import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';
import { LIVE_EDGE_MAX_RATE_DEVIATION } from './live-edge.js';

/** Longest sleep between two looks at the player while something is held, ms. */
export const SPOILER_RECHECK_MS = 250;
/** The fastest a steered player runs (1.05): the gate wakes early enough for it, never late. */
export const MAX_PLAYER_RATE = 1 + LIVE_EDGE_MAX_RATE_DEVIATION;
/** Items held at most; older ones are dropped past it. */
export const SPOILER_MAX_HELD = 1000;

/**
 * The program date-time of the frame on screen now, ms since the epoch in the server's clock;
 * undefined when no video is playing (then nothing is held).
 */
export type PlayerTime = () => number | undefined;

export interface SpoilerGateOptions<T> {
  playerTime: PlayerTime;
  /** Called once per item, in push order, when it may be shown. */
  release: (item: T) => void;
  /** Timers only (the player time is the gate's clock). */
  clock?: Clock;
  maxHeld?: number;
}

interface Held<T> {
  readonly item: T;
  readonly at: number;
}

export class SpoilerGate<T> {
  readonly #options: SpoilerGateOptions<T>;
  readonly #clock: Clock;
  readonly #maxHeld: number;
  #held: Held<T>[] = [];
  #timer: TimerHandle | undefined;
  #live = false;
  #closed = false;

  constructor(options: SpoilerGateOptions<T>) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#maxHeld = options.maxHeld ?? SPOILER_MAX_HELD;
  }

  /** Items waiting for the player. */
  get held(): number {
    return this.#held.length;
  }

  /** True: everything is released as it arrives (the fan's "see chat live" toggle). */
  get live(): boolean {
    return this.#live;
  }

  set live(live: boolean) {
    this.#live = live;
    this.recheck();
  }

  /** Holds `item`, the moment it stands for being server time `at`; released now if due. */
  push(item: T, at: number): void {
    if (this.#closed) return;
    this.#held.push({ item, at });
    if (this.#held.length > this.#maxHeld) this.#held.splice(0, this.#held.length - this.#maxHeld);
    this.recheck();
  }

  /** Removes the held items `matches` accepts (never released); returns how many. */
  drop(matches: (item: T) => boolean): number {
    const before = this.#held.length;
    this.#held = this.#held.filter((h) => !matches(h.item));
    const dropped = before - this.#held.length;
    if (dropped > 0) this.recheck();
    return dropped;
  }

  /** Removes every held item. */
  clear(): void {
    this.#held = [];
    this.recheck();
  }

  /**
   * Releases what is due and sets the next wake. Call it when the player time may have jumped
   * (a new source, playback started or stopped); pushes, drops and the toggle call it anyway.
   */
  recheck(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#closed) return;
    const player = this.#live ? undefined : this.#options.playerTime();
    while (this.#held.length > 0) {
      const head = this.#held[0]!;
      if (player !== undefined && head.at > player) break;
      this.#held.shift();
      this.#options.release(head.item);
      if (this.#closed) return; // a release callback closed the gate
    }
    const head = this.#held[0];
    if (head === undefined || player === undefined) return;
    // Ceil: a wake is never before the head could be due at the fastest rate, and always ≥ 1 ms.
    const waitMs = Math.min(SPOILER_RECHECK_MS, Math.ceil((head.at - player) / MAX_PLAYER_RATE));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.recheck();
    }, waitMs);
  }

  /** Drops everything held and stops the timer; later pushes are ignored. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#held = [];
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
