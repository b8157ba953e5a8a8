// A media element on virtual time, with the behaviours that make sync hard: seeks take a varying
// while (playback frozen meanwhile), a rate change takes effect a little after the assignment,
// play() takes a moment to start, and playback stalls now and then. Events fire asynchronously,
// as a browser queues them. `currentTime` is exact: the error this hides is covered in the doc.

import type { MediaEventType, MediaLike } from '../media.js';
import type { Rng } from './rng.js';
import type { SimScheduler } from './scheduler.js';

export interface SimMediaSpec {
  /** Typical seek latency, ms; each seek takes this times a factor in [1 - v, 1 + v). */
  seekLatencyMs: number;
  seekVariation: number;
  /** Delay before a `playbackRate` assignment changes the actual speed, ms. */
  rateDelayMs: number;
  /** Delay from `play()` to frames moving, ms. */
  playDelayMs: number;
  /** Mean true time between stalls while playing, ms (Infinity: never). */
  stallMeanIntervalMs: number;
  /** Stall duration range, ms. */
  stallMinMs: number;
  stallMaxMs: number;
  /** When set, `play()` rejects with NotAllowedError (a browser's autoplay policy). */
  blockPlay?: boolean;
}

/** A spec with no latencies, stalls or blocking: an ideal element, for unit tests. */
export const IDEAL_MEDIA: SimMediaSpec = {
  seekLatencyMs: 0,
  seekVariation: 0,
  rateDelayMs: 0,
  playDelayMs: 0,
  stallMeanIntervalMs: Infinity,
  stallMinMs: 0,
  stallMaxMs: 0,
};

/** A stall in true ms; `end` is Infinity while it lasts. */
export interface StallRecord {
  start: number;
  end: number;
}

export class SimMedia implements MediaLike {
  readonly spec: SimMediaSpec;
  readonly stalls: StallRecord[] = [];
  readonly #sched: SimScheduler;
  readonly #rng: Rng;
  readonly #listeners = new Map<MediaEventType, Set<() => void>>();
  #position = 0;
  #since = 0;
  #effectiveRate = 1;
  #rate = 1;
  #paused = true;
  #starting = false;
  #seekTimer: unknown;
  #stalledSince: number | undefined;

  constructor(sched: SimScheduler, rng: Rng, spec: SimMediaSpec) {
    this.#sched = sched;
    this.#rng = rng;
    this.spec = spec;
    if (Number.isFinite(spec.stallMeanIntervalMs)) this.#scheduleStall();
  }

  get currentTime(): number {
    this.#advance();
    return this.#position;
  }

  set currentTime(seconds: number) {
    this.#advance();
    this.#position = Math.max(0, seconds);
    if (this.#seekTimer !== undefined) this.#sched.cancel(this.#seekTimer);
    const v = this.spec.seekVariation;
    const latency = this.spec.seekLatencyMs * this.#rng.uniform(1 - v, 1 + v);
    this.#seekTimer = this.#sched.after(latency, () => {
      this.#advance();
      this.#seekTimer = undefined;
      this.#emit('seeked');
    });
    this.#emit('seeking');
  }

  get playbackRate(): number {
    return this.#rate;
  }

  set playbackRate(rate: number) {
    this.#rate = rate;
    this.#sched.after(this.spec.rateDelayMs, () => {
      this.#advance();
      this.#effectiveRate = rate;
    });
  }

  get paused(): boolean {
    return this.#paused;
  }

  get seeking(): boolean {
    return this.#seekTimer !== undefined;
  }

  get readyState(): number {
    if (this.seeking) return 1;
    return this.#stalledSince !== undefined ? 2 : 4;
  }

  play(): Promise<void> {
    if (this.spec.blockPlay) {
      return Promise.reject(
        Object.assign(new Error('play() not allowed'), { name: 'NotAllowedError' }),
      );
    }
    if (!this.#paused) return Promise.resolve();
    this.#advance();
    this.#paused = false;
    this.#starting = true;
    return new Promise((resolve, reject) => {
      this.#sched.after(this.spec.playDelayMs, () => {
        if (this.#paused) {
          reject(Object.assign(new Error('play() interrupted by pause()'), { name: 'AbortError' }));
          return;
        }
        this.#advance();
        this.#starting = false;
        this.#emit('playing');
        resolve();
      });
    });
  }

  pause(): void {
    this.#advance();
    this.#paused = true;
    this.#starting = false;
  }

  addEventListener(type: MediaEventType, listener: () => void): void {
    const set = this.#listeners.get(type) ?? new Set();
    set.add(listener);
    this.#listeners.set(type, set);
  }

  removeEventListener(type: MediaEventType, listener: () => void): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** Starts a stall now (if playing), lasting `ms`. For tests; the spec schedules random ones. */
  stall(ms: number): void {
    if (!this.#moving()) return;
    this.#advance();
    const record: StallRecord = { start: this.#sched.now, end: Infinity };
    this.stalls.push(record);
    this.#stalledSince = record.start;
    this.#emit('waiting');
    this.#sched.after(ms, () => {
      this.#advance();
      this.#stalledSince = undefined;
      record.end = this.#sched.now;
      if (!this.#paused) this.#emit('playing');
    });
  }

  #moving(): boolean {
    return !this.#paused && !this.#starting && !this.seeking && this.#stalledSince === undefined;
  }

  #advance(): void {
    const now = this.#sched.now;
    if (this.#moving()) this.#position += ((now - this.#since) / 1000) * this.#effectiveRate;
    this.#since = now;
  }

  #scheduleStall(): void {
    this.#sched.after(this.#rng.exponential(this.spec.stallMeanIntervalMs), () => {
      this.stall(this.#rng.uniform(this.spec.stallMinMs, this.spec.stallMaxMs));
      this.#scheduleStall();
    });
  }

  #emit(type: MediaEventType): void {
    // Browsers queue media events as tasks: listeners never run inside the call that caused them.
    this.#sched.after(0, () => {
      for (const fn of this.#listeners.get(type) ?? []) fn();
    });
  }
}
