// Schedules the ping exchanges that feed a `ClockSync`: a burst at start (a usable estimate within
// a second), then one ping every few seconds (tracking drift and catching a quiet moment of the
// path). It owns no socket: the SDK passes `send` and forwards pongs to `receive`.

import type { Clock, TimerHandle } from './clock.js';
import { MAX_RTT_MS } from './clock-sync.js';
import type { ClockSync, SampleVerdict } from './clock-sync.js';

/** Pings in the start burst (and after `resync`): at least `MIN_SAMPLES`, with spares for loss. */
export const BURST_COUNT = 8;
/** Gap between burst pings, ms: spaced so they meet different queue states, not each other. */
export const BURST_GAP_MS = 100;
/** Steady ping period, ms. One tiny frame per 2 s per member: 16 fill the offset window (32 s), 64 the rate window (two minutes). */
export const PING_INTERVAL_MS = 2_000;

/** The fields of a protocol `ping` this driver fills; the SDK adds the message type. */
export interface PingRequest {
  /** Correlation id, unique per driver. */
  ref: string;
  /** Local clock when sent, ms (echoed by the server; informative only). */
  t: number;
}

/** The fields of a protocol `pong` this driver reads. */
export interface PongReply {
  ref?: string;
  t?: number;
  /** Server clock when it answered, ms since the epoch. */
  serverTime: number;
}

export interface ClockSyncDriverOptions {
  sync: ClockSync;
  clock: Clock;
  /** Sends one ping. Must not throw; when the transport is down, drop it (the next one retries). */
  send(ping: PingRequest): void;
  burstCount?: number;
  burstGapMs?: number;
  intervalMs?: number;
  /** A pong later than this is ignored (its ping is forgotten). */
  timeoutMs?: number;
  /** Prefix of the ping refs, so other pings on the same connection are told apart. */
  refPrefix?: string;
}

/**
 * Sends pings on the clock's timers and turns matching pongs into samples. An `outlier` verdict
 * brings the next ping forward to `burstGapMs`, so a clock step is confirmed (or refuted) in well
 * under a second instead of three ping periods. `close()` is idempotent; after it pongs are ignored.
 */
export class ClockSyncDriver {
  readonly #o: Required<Omit<ClockSyncDriverOptions, 'send' | 'sync' | 'clock'>>;
  readonly #sync: ClockSync;
  readonly #clock: Clock;
  readonly #send: (ping: PingRequest) => void;
  readonly #pending = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #burstLeft = 0;
  #nextRef = 1;
  #running = false;

  constructor(options: ClockSyncDriverOptions) {
    this.#sync = options.sync;
    this.#clock = options.clock;
    this.#send = options.send;
    this.#o = {
      burstCount: options.burstCount ?? BURST_COUNT,
      burstGapMs: options.burstGapMs ?? BURST_GAP_MS,
      intervalMs: options.intervalMs ?? PING_INTERVAL_MS,
      timeoutMs: options.timeoutMs ?? MAX_RTT_MS,
      refPrefix: options.refPrefix ?? 'cs',
    };
  }

  /** Starts with a burst. Calling it again while running does nothing. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#burst();
  }

  /** Forgets the samples and bursts again: call it after reconnecting (maybe to another server). */
  resync(): void {
    if (!this.#running) return;
    this.#sync.restart();
    this.#pending.clear();
    this.#burst();
  }

  /**
   * Feeds a pong. Returns the sample's verdict, or undefined when the pong is not an answer to a
   * ping of this driver still awaited (another component's ping, a duplicate, too late, closed).
   */
  receive(pong: PongReply): SampleVerdict | undefined {
    if (!this.#running || pong.ref === undefined) return undefined;
    const t0 = this.#pending.get(pong.ref);
    if (t0 === undefined) return undefined;
    this.#pending.delete(pong.ref);
    const t1 = this.#clock.now();
    if (t1 - t0 > this.#o.timeoutMs) return undefined;
    const verdict = this.#sync.sample(t0, pong.serverTime, t1);
    if (verdict === 'outlier' && this.#burstLeft === 0) this.#schedule(this.#o.burstGapMs);
    return verdict;
  }

  close(): void {
    this.#running = false;
    this.#pending.clear();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #burst(): void {
    this.#burstLeft = this.#o.burstCount;
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.#ping(), ms);
  }

  #ping(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    for (const [ref, t0] of this.#pending) {
      if (now - t0 > this.#o.timeoutMs) this.#pending.delete(ref);
    }
    const ref = `${this.#o.refPrefix}${this.#nextRef++}`;
    this.#pending.set(ref, now);
    if (this.#burstLeft > 0) this.#burstLeft -= 1;
    this.#schedule(this.#burstLeft > 0 ? this.#o.burstGapMs : this.#o.intervalMs);
    this.#send({ ref, t: now });
  }
}
