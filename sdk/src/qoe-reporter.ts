// Turns what a player observes (play requested, first frame, stalls, failures, tier fallback) into
// `qoe` beacons (protocol/src/qoe.ts), sent through `send` (usually `client.reportQoe`). Watch time
// goes out as a `playing` beacon every QOE_PLAYING_EVERY_MS while playing, and once more at close,
// so the shard can put rebuffer time against it. Explicit states: idle → starting → playing ⇄
// stalled → closed; an observation that does not fit the state is ignored (a second first frame,
// a resume without a stall).

import {
  QOE_DURATION_MS_MAX,
  QOE_LATENCY_MS_MAX,
  QOE_WATCH_MS_MAX,
  type QoeBeacon,
  type QoeTier,
} from '@fanfare/protocol';
import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';

/** How often watch time is reported while playing, ms. */
export const QOE_PLAYING_EVERY_MS = 10_000;

type QoeState = 'idle' | 'starting' | 'playing' | 'stalled' | 'closed';

export interface QoeReporterOptions {
  send: (beacon: QoeBeacon) => void;
  tier: QoeTier;
  clock?: Clock;
}

function clampMs(ms: number, max: number): number {
  return Math.min(max, Math.max(0, Math.round(ms)));
}

export class QoeReporter {
  readonly #send: (beacon: QoeBeacon) => void;
  readonly #clock: Clock;
  #tier: QoeTier;
  #state: QoeState = 'idle';
  #requestedAt = 0;
  #stalledAt = 0;
  /** Start of the watch time not yet reported (while playing), ms. */
  #watchFrom = 0;
  #timer: TimerHandle | undefined;
  #rendition: string | undefined;
  #latencyMs: number | undefined;

  constructor(options: QoeReporterOptions) {
    this.#send = options.send;
    this.#tier = options.tier;
    this.#clock = options.clock ?? systemClock;
  }

  get state(): QoeState {
    return this.#state;
  }

  /** The rendition now playing (sent with every later beacon). */
  setRendition(rendition: string | undefined): void {
    this.#rendition = rendition === undefined ? undefined : rendition.slice(0, 32);
  }

  /** The last measured delay behind live, ms (sent with every later beacon). */
  setLatency(ms: number | undefined): void {
    this.#latencyMs = ms === undefined || !Number.isFinite(ms) ? undefined : ms;
  }

  /** The viewer asked to play; the video start time counts from here. */
  requested(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'starting';
    this.#requestedAt = this.#clock.now();
  }

  /** The first frame showed. */
  firstFrame(): void {
    if (this.#state !== 'starting') return;
    const now = this.#clock.now();
    this.#beacon({
      kind: 'video_start',
      vstMs: clampMs(now - this.#requestedAt, QOE_DURATION_MS_MAX),
    });
    this.#state = 'playing';
    this.#watchFrom = now;
    this.#schedule();
  }

  /** Playback stalled after it had started. */
  stalled(): void {
    if (this.#state !== 'playing') return;
    this.#flushWatch();
    this.#state = 'stalled';
    this.#stalledAt = this.#clock.now();
    this.#beacon({ kind: 'rebuffer_start' });
  }

  /** The stall ended. */
  resumed(): void {
    if (this.#state !== 'stalled') return;
    const now = this.#clock.now();
    this.#beacon({
      kind: 'rebuffer_end',
      durationMs: clampMs(now - this.#stalledAt, QOE_DURATION_MS_MAX),
    });
    this.#state = 'playing';
    this.#watchFrom = now;
  }

  /** Playback failed for good on this tier. Ends the reporter. */
  fatal(code: string): void {
    if (this.#state === 'closed') return;
    this.#flushWatch();
    this.#beacon({ kind: 'fatal', code: code.slice(0, 32) || 'unknown' });
    this.#end();
  }

  /**
   * The player left its tier for `to`: reports the fallback on the old tier, then starts over on
   * the new one (a new video start, counted from now).
   */
  tierFallback(reason: string, to: QoeTier): void {
    if (this.#state === 'closed') return;
    this.#flushWatch();
    this.#beacon({ kind: 'tier_fallback', reason: reason.slice(0, 32) || 'unknown' });
    this.#tier = to;
    this.#state = 'starting';
    this.#requestedAt = this.#clock.now();
    this.#stopTimer();
  }

  /** The viewer left or the player was torn down: `exit_before_start` before a first frame. */
  close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'starting') this.#beacon({ kind: 'exit_before_start' });
    this.#flushWatch();
    this.#end();
  }

  #end(): void {
    this.#state = 'closed';
    this.#stopTimer();
  }

  #flushWatch(): void {
    if (this.#state !== 'playing') return;
    const now = this.#clock.now();
    let watched = now - this.#watchFrom;
    this.#watchFrom = now;
    // A long gap (a suspended tab) goes out in bounded pieces rather than being refused.
    while (watched > 0) {
      const piece = Math.min(watched, QOE_WATCH_MS_MAX);
      this.#beacon({ kind: 'playing', watchMs: clampMs(piece, QOE_WATCH_MS_MAX) });
      watched -= piece;
    }
  }

  #schedule(): void {
    this.#stopTimer();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#state === 'closed') return;
      this.#flushWatch();
      this.#schedule();
    }, QOE_PLAYING_EVERY_MS);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #beacon(fields: Omit<QoeBeacon, 'type' | 'tier'>): void {
    const beacon: QoeBeacon = { type: 'qoe', tier: this.#tier, ...fields };
    if (this.#rendition) beacon.rendition = this.#rendition;
    if (this.#latencyMs !== undefined) {
      beacon.latencyMs = clampMs(this.#latencyMs, QOE_LATENCY_MS_MAX);
    }
    try {
      this.#send(beacon);
    } catch {
      // A beacon is a measurement, never a reason for playback to fail.
    }
  }
}
