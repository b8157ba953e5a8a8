// Keeps one media element on the shared timeline. Small drift is absorbed by nudging the playback
// rate (invisible); a start, and a large drift, by holding the paused element on a frame the
// timeline is about to reach (seeking ahead first when needed) and starting it one learned start
// latency early. Trade-off: a dead band of DRIFT_ENTER_MS is left uncorrected, buying a steady
// rate and no oscillation for a bounded error, except what a change of the controller's own (a
// rate switch, a start) leaves, which is settled to DRIFT_EXIT_MS. Thresholds: sync-policy.ts.

import type { Clock, ServerTime, TimerHandle } from './clock.js';
import { HAVE_FUTURE_DATA } from './media.js';
import type { MediaEventType, MediaLike } from './media.js';
import {
  CONTROL_TICK_MS,
  DRIFT_ENTER_MS,
  MAX_HOLD_MS,
  PLAY_LATENCY_GUESS_MS,
  SEEK_AIM_MARGIN,
  SEEK_ENTER_MS,
  SEEK_LATENCY_GUESS_MS,
  SEEK_TIMEOUT_MS,
  correctionRate,
  learnLatency,
  nudgeBandMs,
  seekCooldownMs,
  seekThresholdMs,
} from './sync-policy.js';
import { writeRate } from './rate-writes.js';
import { moveSync } from './sync-state.js';
import type {
  Readiness,
  SyncControllerOptions,
  SyncState,
  SyncStats,
  SyncStatus,
} from './sync-state.js';
import { isNewer, positionAt } from '@fanfare/protocol';
import type { Timeline } from '@fanfare/protocol';

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
    playLatencyMs: PLAY_LATENCY_GUESS_MS,
    heldStarts: 0,
  };
  #previous: Timeline | undefined;
  #wake: TimerHandle | undefined;
  #playCalledAt: number | undefined;
  /** When the controller last called play() on a paused element, until `playing` fires. */
  #startedAt: number | undefined;
  #playSamples = 0;
  /** A change of ours (new timeline, start) awaits taking effect; then `#changedAt` is set. */
  #settleArmed = false;
  /** Local ms at which the last change of ours took effect (see `nudgeBandMs`). */
  #changedAt = -Infinity;

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
    this.#clearWake();
    if (this.#timeline) this.#media.playbackRate = this.#timeline.rate;
  }

  /** Adopts `timeline` if it is newer than the one held and acts on it now. False when stale. */
  setTimeline(timeline: Timeline): boolean {
    if (!isNewer(timeline, this.#timeline)) return false;
    this.#previous = this.#timeline;
    this.#timeline = timeline;
    this.#freshCause = true;
    this.#settleArmed = true;
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

  /**
   * The timeline in force at server time `t`. A value takes effect at its `at`: before it, a rate
   * change scheduled ahead leaves the previous playing value in force; a start (from paused)
   * holds its first frame, which `positionAt` gives.
   */
  #live(t: number): Timeline {
    const tl = this.#timeline!;
    const prev = this.#previous;
    if (tl.paused || t >= tl.at || !prev || prev.paused || prev.media !== tl.media) return tl;
    return prev;
  }

  /** Where the element should be at server time `t`, seconds. */
  #targetAt(t: number): number {
    return Math.max(0, positionAt(this.#live(t), t));
  }

  #decide(): void {
    const tl = this.#timeline;
    this.#clearWake();
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
    const serverNow = this.#time.serverNow();
    const live = this.#live(serverNow);
    const target = this.#targetAt(serverNow);
    const drift = (this.#media.currentTime - target) * 1000;
    this.#driftMs = drift;
    const mayMove = this.#freshCause || now - this.#lastSeekEnd >= seekCooldownMs(this.#misses);

    if (tl.paused) {
      this.#blocked = false;
      this.#pause();
      this.#setRate(tl.rate, tl.rate);
      const seekDue = Math.abs(drift) > seekThresholdMs(true) && mayMove;
      return seekDue ? this.#seek(target, now) : this.#move('in-sync');
    }
    if (this.#stalled) return this.#move('buffering');
    if (this.#blocked) return this.#move('blocked');
    if (this.#media.paused) return this.#start(live, serverNow, drift, now, mayMove);
    // A start in flight (play() called, frames not moving yet): the drift it shows is the wait
    // it was timed for, not an error; look again once `playing` fires (or, for an element that
    // does not say, after twice the start latency and a tick).
    const startWindow = 2 * this.#stats.playLatencyMs + this.#tickMs;
    if (this.#startedAt !== undefined && now - this.#startedAt < startWindow) return;
    this.#startedAt = undefined;
    if (drift > SEEK_ENTER_MS && drift < MAX_HOLD_MS) {
      // Far ahead: stop and let the timeline come to this frame; no seek needed.
      this.#pause();
      return this.#start(live, serverNow, drift, now, mayMove);
    }
    if (Math.abs(drift) > SEEK_ENTER_MS && mayMove) return this.#seekAndHold(serverNow, now);
    // A rate change scheduled ahead: look again at the instant it takes effect, not a tick late.
    if (live !== tl) this.#wake = this.#clock.setTimeout(() => this.#evaluate(), tl.at - serverNow);
    // The change in force took effect (a rate change at its `at`, a start once frames move).
    if (this.#settleArmed && live === tl) {
      this.#settleArmed = false;
      this.#changedAt = now;
    }
    const band = nudgeBandMs(this.#state === 'correcting', now - this.#changedAt, this.#tickMs);
    if (Math.abs(drift) > band) {
      if (this.#state !== 'correcting') {
        this.#stats.corrections += 1;
        this.#lastNudgeSign = 0;
      }
      this.#setRate(correctionRate(drift, live.rate), live.rate);
      return this.#move('correcting');
    }
    this.#setRate(live.rate, live.rate);
    this.#misses = 0;
    this.#move('in-sync');
  }

  /**
   * The timeline plays and the element is paused (a start, the end of a seek-and-hold, a user's
   * pause): hold on this frame until the timeline reaches it, start it one start-latency early,
   * or, when the frame is behind by more than the band, seek ahead and hold there.
   */
  #start(live: Timeline, serverNow: number, drift: number, now: number, mayMove: boolean): void {
    this.#setRate(live.rate, live.rate);
    // Server ms until the timeline reaches this frame (negative: it passed it that long ago).
    const reachIn = Math.max(0, live.at - serverNow) + drift / live.rate;
    const playLatency = this.#stats.playLatencyMs;
    if (drift < -DRIFT_ENTER_MS || reachIn - playLatency > MAX_HOLD_MS) {
      if (mayMove) return this.#seekAndHold(serverNow, now);
      // In the seek cooldown: play on, and let the rate correct from the next look.
      this.#play();
      return this.#move('in-sync');
    }
    // Within a millisecond of due is due: a timer finer than that is noise (and, on virtual
    // time, would re-arm itself at the same instant).
    if (reachIn - playLatency >= 1) {
      if (this.#state !== 'holding') this.#stats.heldStarts += 1;
      this.#wake = this.#clock.setTimeout(() => this.#evaluate(), reachIn - playLatency);
      return this.#move('holding');
    }
    this.#play();
    this.#move('in-sync');
  }

  /** Pauses, and seeks to where the timeline will be a little after the seek lands. */
  #seekAndHold(serverNow: number, now: number): void {
    this.#pause();
    const leadMs = this.#stats.seekLatencyMs * (1 + SEEK_AIM_MARGIN) + this.#stats.playLatencyMs;
    this.#seek(this.#targetAt(serverNow + leadMs), now);
  }

  #seek(to: number, now: number): void {
    this.#move('seeking');
    this.#seekStartedAt = now;
    this.#freshCause = false;
    this.#lastNudgeSign = 0;
    this.#stats.seeks += 1;
    this.#media.currentTime = to;
  }

  #pause(): void {
    this.#playCalledAt = undefined;
    this.#startedAt = undefined;
    if (!this.#media.paused) this.#media.pause();
  }

  #play(): void {
    if (!this.#media.paused) return;
    // Time the start only from a ready element: one still loading says nothing of its latency.
    const ready = this.#media.readyState >= HAVE_FUTURE_DATA && this.#seekStartedAt === undefined;
    this.#playCalledAt = ready ? this.#clock.now() : undefined;
    this.#startedAt = this.#clock.now();
    this.#settleArmed = true;
    void Promise.resolve(this.#media.play()).catch((err: unknown) => {
      this.#playCalledAt = undefined;
      this.#startedAt = undefined;
      // Only a policy refusal blocks us. An AbortError means a later pause() or seek superseded
      // this play() call, which is our own doing and needs nothing.
      const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : '';
      if (name !== 'NotAllowedError' || !this.#running) return;
      this.#blocked = true;
      this.#evaluate();
    });
  }

  #clearWake(): void {
    if (this.#wake !== undefined) this.#clock.clearTimeout(this.#wake);
    this.#wake = undefined;
  }

  #setRate(rate: number, base: number): void {
    this.#lastNudgeSign = writeRate(this.#media, this.#stats, rate, base, this.#lastNudgeSign);
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
    const target = this.#targetAt(this.#time.serverNow());
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
    if (this.#playCalledAt !== undefined) {
      const measured = this.#clock.now() - this.#playCalledAt;
      this.#stats.playLatencyMs = learnLatency(
        this.#stats.playLatencyMs,
        measured,
        this.#playSamples++,
      );
      this.#playCalledAt = undefined;
    }
    this.#startedAt = undefined;
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
