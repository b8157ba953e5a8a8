// Keeps one media element on the shared timeline. Small drift is absorbed by nudging the playback
// rate (invisible), large drift by a seek aimed where the timeline will be when the seek completes
// (learned from past seeks). Trade-off: a dead band of DRIFT_ENTER_MS is left uncorrected, buying
// a steady rate and no oscillation for a bounded, sub-frame error. Thresholds: sync-policy.ts.

import type { Clock, TimerHandle } from './clock.js';
import { HAVE_FUTURE_DATA } from './media.js';
import type { MediaEventType, MediaLike } from './media.js';
import {
  CONTROL_TICK_MS,
  DRIFT_ENTER_MS,
  DRIFT_EXIT_MS,
  SEEK_LATENCY_GUESS_MS,
  SEEK_TIMEOUT_MS,
  correctionRate,
  learnLatency,
  seekCooldownMs,
  seekTarget,
  seekThresholdMs,
} from './sync-policy.js';
import { moveSync } from './sync-state.js';
import type { Readiness, SyncState, SyncStats, SyncStatus } from './sync-state.js';
import { isNewer, positionAt } from '@fanfare/protocol';
import type { Timeline } from '@fanfare/protocol';

/** The server clock as the controller needs it; `ClockSync` provides it. */
export interface ServerTime {
  readonly synced: boolean;
  /** Server ms since the epoch. */
  serverNow(): number;
}

export interface SyncControllerOptions {
  media: MediaLike;
  time: ServerTime;
  /** Local clock: control ticks and seek-latency measurement. */
  clock: Clock;
  /** Called when `state` or `readiness` changes (not on every drift change). */
  onStatus?: (status: SyncStatus) => void;
  tickMs?: number;
}

/**
 * Drives `media` to follow the timeline given to `setTimeline`. `start()` attaches to the element
 * and starts the control loop; `close()` (idempotent) detaches, restores the timeline's rate and
 * leaves the element otherwise as it is.
 */
export class SyncController {
  readonly #media: MediaLike;
  readonly #time: ServerTime;
  readonly #clock: Clock;
  readonly #onStatus: ((status: SyncStatus) => void) | undefined;
  readonly #tickMs: number;
  readonly #listeners: [MediaEventType, () => void][];
  #timeline: Timeline | undefined;
  #state: SyncState = 'idle';
  #readiness: Readiness = 'buffering';
  #driftMs: number | undefined;
  #timer: TimerHandle | undefined;
  #running = false;
  #seekStartedAt: number | undefined;
  #externalSeek = false;
  #lastSeekEnd = -Infinity;
  /** A new cause of drift (host change, stall end): the next seek skips the cooldown. */
  #freshCause = false;
  #latencySamples = 0;
  #misses = 0;
  #stalled = false;
  #blocked = false;
  #lastNudgeSign = 0;
  #lastPublished = '';
  #stats: SyncStats = {
    seeks: 0,
    missedSeeks: 0,
    corrections: 0,
    rateChanges: 0,
    rateFlips: 0,
    seekLatencyMs: SEEK_LATENCY_GUESS_MS,
  };

  constructor(options: SyncControllerOptions) {
    this.#media = options.media;
    this.#time = options.time;
    this.#clock = options.clock;
    this.#onStatus = options.onStatus;
    this.#tickMs = options.tickMs ?? CONTROL_TICK_MS;
    this.#listeners = [
      ['seeking', () => this.#onSeeking()],
      ['seeked', () => this.#onSeeked()],
      ['waiting', () => this.#onWaiting()],
      ['playing', () => this.#onPlaying()],
    ];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const [type, fn] of this.#listeners) this.#media.addEventListener(type, fn);
    this.#tick();
  }

  close(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const [type, fn] of this.#listeners) this.#media.removeEventListener(type, fn);
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#timeline) this.#media.playbackRate = this.#timeline.rate;
  }

  /** Adopts `timeline` if it is newer than the one held and acts on it now. False when stale. */
  setTimeline(timeline: Timeline): boolean {
    if (!isNewer(timeline, this.#timeline)) return false;
    this.#timeline = timeline;
    this.#freshCause = true;
    this.#blocked = false;
    this.#evaluate();
    return true;
  }

  get timeline(): Timeline | undefined {
    return this.#timeline;
  }

  get status(): SyncStatus {
    return { state: this.#state, readiness: this.#readiness, driftMs: this.#driftMs };
  }

  get stats(): SyncStats {
    return { ...this.#stats };
  }

  #tick(): void {
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#tickMs);
    this.#evaluate();
  }

  #evaluate(): void {
    if (!this.#running) return;
    this.#decide();
    this.#publish();
  }

  #decide(): void {
    const tl = this.#timeline;
    if (!tl || !this.#time.synced) {
      this.#driftMs = undefined;
      return this.#move('idle');
    }
    const now = this.#clock.now();
    if (this.#seekStartedAt !== undefined) {
      if (now - this.#seekStartedAt < SEEK_TIMEOUT_MS) return;
      this.#seekStartedAt = undefined;
      this.#lastSeekEnd = now;
      this.#move('correcting');
    }
    if (this.#externalSeek) return;
    const target = Math.max(0, positionAt(tl, this.#time.serverNow()));
    const drift = (this.#media.currentTime - target) * 1000;
    this.#driftMs = drift;
    const mayMove = this.#freshCause || now - this.#lastSeekEnd >= seekCooldownMs(this.#misses);
    const seekDue = Math.abs(drift) > seekThresholdMs(tl.paused) && mayMove;

    if (tl.paused) {
      this.#blocked = false;
      if (!this.#media.paused) this.#media.pause();
      this.#setRate(tl.rate, tl.rate);
      return seekDue ? this.#seek(target, now) : this.#move('in-sync');
    }
    if (this.#stalled) return this.#move('buffering');
    if (this.#blocked) return this.#move('blocked');
    if (seekDue) {
      this.#setRate(tl.rate, tl.rate);
      this.#seek(seekTarget(target, tl.rate, false, this.#stats.seekLatencyMs), now);
      if (this.#media.paused) this.#play();
      return;
    }
    if (this.#media.paused) this.#play();
    const band = this.#state === 'correcting' ? DRIFT_EXIT_MS : DRIFT_ENTER_MS;
    if (Math.abs(drift) > band) {
      if (this.#state !== 'correcting') {
        this.#stats.corrections += 1;
        this.#lastNudgeSign = 0;
      }
      this.#setRate(correctionRate(drift, tl.rate), tl.rate);
      return this.#move('correcting');
    }
    this.#setRate(tl.rate, tl.rate);
    this.#misses = 0;
    this.#move('in-sync');
  }

  #seek(to: number, now: number): void {
    this.#move('seeking');
    this.#seekStartedAt = now;
    this.#freshCause = false;
    this.#lastNudgeSign = 0;
    this.#stats.seeks += 1;
    this.#media.currentTime = to;
  }

  #play(): void {
    void Promise.resolve(this.#media.play()).catch((err: unknown) => {
      // Only a policy refusal blocks us. An AbortError means a later pause() or seek superseded
      // this play() call, which is our own doing and needs nothing.
      const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : '';
      if (name !== 'NotAllowedError' || !this.#running) return;
      this.#blocked = true;
      this.#evaluate();
    });
  }

  #setRate(rate: number, base: number): void {
    const sign = Math.sign(rate - base);
    if (sign !== 0) {
      if (this.#lastNudgeSign !== 0 && sign !== this.#lastNudgeSign) this.#stats.rateFlips += 1;
      this.#lastNudgeSign = sign;
    }
    if (this.#media.playbackRate === rate) return;
    this.#media.playbackRate = rate;
    this.#stats.rateChanges += 1;
  }

  #onSeeking(): void {
    if (this.#seekStartedAt === undefined) this.#externalSeek = true;
    if (this.#state !== 'seeking') this.#move('seeking');
    this.#publish();
  }

  #onSeeked(): void {
    const now = this.#clock.now();
    if (this.#seekStartedAt !== undefined) {
      const latency = now - this.#seekStartedAt;
      // Score the landing before learning: a seek aimed with the initial guess is no miss.
      const aimed = this.#latencySamples > 0;
      const avg = learnLatency(this.#stats.seekLatencyMs, latency, this.#latencySamples++);
      this.#stats.seekLatencyMs = avg;
      this.#seekStartedAt = undefined;
      this.#lastSeekEnd = now;
      this.#scoreLanding(aimed);
    }
    this.#externalSeek = false;
    // `seeked` means data for the new position is there: any stall before it is over.
    this.#stalled = false;
    this.#move('correcting');
    this.#evaluate();
  }

  #scoreLanding(aimed: boolean): void {
    const tl = this.#timeline;
    if (!tl) return;
    const target = positionAt(tl, this.#time.serverNow());
    const landedMs = Math.abs(this.#media.currentTime - target) * 1000;
    if (aimed && landedMs > seekThresholdMs(tl.paused)) {
      this.#misses += 1;
      this.#stats.missedSeeks += 1;
    } else {
      this.#misses = 0;
    }
  }

  #onWaiting(): void {
    this.#stalled = true;
    if (
      this.#seekStartedAt === undefined &&
      !this.#externalSeek &&
      this.#timeline &&
      !this.#timeline.paused
    ) {
      this.#move('buffering');
    }
    this.#publish();
  }

  #onPlaying(): void {
    if (this.#stalled) this.#freshCause = true;
    this.#stalled = false;
    this.#blocked = false;
    this.#evaluate();
  }

  #move(to: SyncState): void {
    this.#state = moveSync(this.#state, to);
  }

  #publish(): void {
    // While our own seek is in flight the element reports low readiness by design; holding the
    // last value keeps routine corrections from flapping the host's readiness view.
    if (this.#seekStartedAt === undefined) {
      const canPlay =
        !this.#stalled && !this.#blocked && this.#media.readyState >= HAVE_FUTURE_DATA;
      this.#readiness = canPlay ? 'ready' : 'buffering';
    }
    const key = `${this.#state}/${this.#readiness}`;
    if (key === this.#lastPublished) return;
    this.#lastPublished = key;
    this.#onStatus?.(this.status);
  }
}
