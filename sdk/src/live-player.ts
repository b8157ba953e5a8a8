// The LL-HLS player helper the fan page uses: hls.js on a media element, started on the lowest
// rendition (the smallest first segment to fetch and decode: the fastest first frame; hls.js's ABR
// moves up from there), and steered toward one target delay behind live so every viewer sees the
// same moment at the same time. hls.js alone settles wherever its start-up left it (its catch-up
// rate is off by default): this measures the delay from EXT-X-PROGRAM-DATE-TIME every step and
// applies the pure rule of live-edge.ts. hls.js is not a dependency of the SDK: the app passes the
// `Hls` class it loaded (typed structurally below), so the SDK stays dependency-free.

import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';
import { DEFAULT_LIVE_EDGE_RULE, steerLiveEdge, type LiveEdgeRule } from './live-edge.js';
import { LIVE_START_JUMP_MIN_MS, liveStartJumpS, liveStartLatency } from './live-start.js';

/** How often the delay is measured and the rate set, ms. */
export const LIVE_EDGE_STEP_MS = 250;
/** The target when neither the app nor the playlist names one (no PART-HOLD-BACK), ms. */
export const FALLBACK_TARGET_MS = 3000;

/** hls.js's LEVEL_LOADED event (`Hls.Events.LEVEL_LOADED`). */
export const HLS_LEVEL_LOADED = 'hlsLevelLoaded';
/** hls.js's BUFFER_APPENDED event (`Hls.Events.BUFFER_APPENDED`). */
export const HLS_BUFFER_APPENDED = 'hlsBufferAppended';
/**
 * Media the first appends must hold before the helper shows it, seconds (half a 200 ms part).
 * hls.js itself moves the play head to the start only once the whole first segment is in (one
 * part request after another: 0.3-0.7 s on this machine); the helper starts the picture at the
 * first buffered part (the segment's independent one) and lets hls.js jump to its start position
 * when the segment is complete.
 */
export const KICK_START_MIN_BUFFERED_S = 0.1;

/** What the helper reads of a loaded media playlist (hls.js's LevelDetails), seconds. */
export interface LevelDetailsLike {
  readonly live?: boolean;
  readonly partHoldBack?: number;
  /** End of the last listed part, or of the last segment without parts. */
  readonly edge?: number;
  /** Complete segments, oldest first. */
  readonly fragments?: readonly { readonly start: number; readonly end: number }[];
  readonly partList?: readonly unknown[] | null;
}

/** The one hls.js event the helper listens to; without `on`, the start is left to hls.js. */
interface HlsEvents {
  on?(
    event: typeof HLS_LEVEL_LOADED,
    listener: (event: string, data: { details: LevelDetailsLike }) => void,
  ): void;
  on?(event: typeof HLS_BUFFER_APPENDED, listener: () => void): void;
}

/** What the helper uses of an hls.js instance (hls.js 1.5+). */
export interface HlsLike {
  loadSource(url: string): void;
  attachMedia(media: never): void;
  destroy(): void;
  /** Wall-clock time of the frame at the play head, from program date-time. */
  readonly playingDate: Date | null;
  readonly latestLevelDetails: LevelDetailsLike | null;
  /** The delay hls.js starts at (and seeks back to), seconds: set once for the start. */
  targetLatency?: number | null;
}

/** The hls.js class (`Hls` from the `hls.js` package). */
export type HlsClass<H extends HlsLike = HlsLike> = new (config: Record<string, unknown>) => H;

/** What the helper uses of the video element. */
export interface VideoLike {
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  readonly buffered: {
    readonly length: number;
    start(index: number): number;
    end(index: number): number;
  };
}

export interface LivePlayerOptions<H extends HlsLike> {
  Hls: HlsClass<H>;
  media: VideoLike;
  /** The join reply's `playback.url`. */
  url: string;
  /**
   * The delay behind live every viewer aims at, ms (an event-wide value the app was given).
   * Absent: the playlist's PART-HOLD-BACK, the server's advice for low-latency players.
   */
  targetLatencyMs?: number;
  /**
   * Wall clock, ms since the epoch, in the origin's time: program date-time is the packager's
   * clock, so a skewed device clock skews the measured delay (pass the SDK's server clock).
   */
  now?: () => number;
  /** Timers for the steering loop. */
  clock?: Clock;
  /** Extra hls.js config (merged over the helper's). */
  hlsConfig?: Record<string, unknown>;
  rule?: LiveEdgeRule;
  /**
   * Start inside the last complete segment and show its first buffered part at once (default);
   * false leaves the start to hls.js (for comparing the two).
   */
  quickStart?: boolean;
}

/** hls.js settings the helper relies on. */
export const LIVE_HLS_CONFIG = Object.freeze({
  lowLatencyMode: true,
  // The lowest rendition first: the fastest first frame; ABR climbs from there.
  startLevel: 0,
  // hls.js's own catch-up off: one controller only, or the two fight.
  maxLiveSyncPlaybackRate: 1,
  backBufferLength: 10,
  // Remux on the page's thread: fMP4 in, fMP4 out is a cheap pass-through, while starting the
  // transmux worker held the first append back 0.3-1.4 s (Chromium, three players starting on a
  // loaded two-core machine: first frame 1.9-4.1 s with the worker, 1.2-1.9 s without).
  enableWorker: false,
});

export class LivePlayer<H extends HlsLike = HlsLike> {
  readonly hls: H;
  readonly #media: VideoLike;
  readonly #options: LivePlayerOptions<H>;
  readonly #now: () => number;
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  #closed = false;
  #delayMs: number | undefined;
  #seeks = 0;
  #startChosen = false;
  #kicked = false;
  /** After a quick start: the jump toward the target is still to make (liveStartJumpS). */
  #jumpPending = false;
  #startLatencyS: number | undefined;
  #started = false;

  constructor(options: LivePlayerOptions<H>) {
    this.#options = options;
    this.#media = options.media;
    this.#now = options.now ?? (() => Date.now());
    this.#clock = options.clock ?? systemClock;
    this.hls = new options.Hls({ ...LIVE_HLS_CONFIG, ...options.hlsConfig });
    // hls.js's `on` is generic over its event map; the helper needs one event of it.
    if (options.quickStart !== false) {
      const events = this.hls as unknown as HlsEvents;
      events.on?.(HLS_LEVEL_LOADED, (_event, data) => this.#chooseStart(data.details));
      events.on?.(HLS_BUFFER_APPENDED, () => this.#kickStart());
    }
    this.hls.loadSource(options.url);
    this.hls.attachMedia(options.media as never);
    this.#schedule();
  }

  /**
   * Shows the first buffered media as soon as it holds KICK_START_MIN_BUFFERED_S, instead of
   * after hls.js has the whole first segment. Once only: later the play head is hls.js's and the
   * steering's.
   */
  #kickStart(): void {
    if (this.#kicked) return;
    const media = this.#media;
    const { buffered } = media;
    if (buffered.length === 0) return;
    const start = buffered.start(0);
    if (media.currentTime >= start) {
      this.#kicked = true;
      return;
    }
    if (buffered.end(0) - start < KICK_START_MIN_BUFFERED_S) return;
    this.#kicked = true;
    this.#jumpPending = true;
    media.currentTime = start;
  }

  /** The start delay hls.js was given (seconds), when the start rule moved it off the target. */
  get startLatencyS(): number | undefined {
    return this.#startLatencyS;
  }

  /**
   * On the first live playlist: start inside the last complete segment (live-start.ts), so the
   * first frame does not wait for the encoder to finish the segment in the making.
   */
  #chooseStart(details: LevelDetailsLike): void {
    if (this.#startChosen) return;
    this.#startChosen = true;
    const last = details.fragments?.at(-1);
    if (!details.live || !details.partList?.length || !last || details.edge === undefined) return;
    const targetS = this.#targetFor(details) / 1000;
    const latency = liveStartLatency(
      { edge: details.edge, lastSegmentStart: last.start, lastSegmentEnd: last.end },
      targetS,
    );
    if (latency > targetS) {
      this.#startLatencyS = latency;
      this.hls.targetLatency = latency;
    }
  }

  /** The last measured delay behind live, ms; undefined before playback. */
  get delayMs(): number | undefined {
    return this.#delayMs;
  }

  /** The delay aimed at, ms: the app's, else PART-HOLD-BACK, else FALLBACK_TARGET_MS. */
  get targetMs(): number {
    return this.#targetFor(this.hls.latestLevelDetails);
  }

  #targetFor(details: LevelDetailsLike | null): number {
    if (this.#options.targetLatencyMs !== undefined) return this.#options.targetLatencyMs;
    const holdBack = details?.partHoldBack;
    return holdBack ? holdBack * 1000 : FALLBACK_TARGET_MS;
  }

  /**
   * The program date-time of the frame at the play head now, ms since the epoch (the packager's
   * clock); undefined before playback. Read fresh from hls.js on every call (it follows the
   * media element's current time), unlike `delayMs`, which is measured once per step.
   */
  get playingAtMs(): number | undefined {
    return this.hls.playingDate?.getTime();
  }

  /** Jumps made so far (start-up far from the target, or a stall). */
  get seeks(): number {
    return this.#seeks;
  }

  /** One measurement and correction (the loop calls it every LIVE_EDGE_STEP_MS). */
  step(): void {
    const media = this.#media;
    const date = this.hls.playingDate;
    if (media.paused || !date) return;
    if (!this.#started) {
      this.#started = true;
      // Playing: hls.js's own idea of the target (for its seeks back to live) is the helper's again.
      if (this.#startLatencyS !== undefined) this.hls.targetLatency = this.targetMs / 1000;
    }
    this.#delayMs = this.#now() - date.getTime();
    const last = media.buffered.length - 1;
    const aheadMs = last >= 0 ? (media.buffered.end(last) - media.currentTime) * 1000 : 0;
    if (this.#jumpPending) {
      const jumpS = liveStartJumpS(this.#delayMs, this.targetMs, aheadMs);
      if (jumpS > 0) {
        this.#jumpPending = false;
        this.#seeks++;
        media.currentTime += jumpS;
        return;
      }
      if (this.#delayMs - this.targetMs < LIVE_START_JUMP_MIN_MS) this.#jumpPending = false;
    }
    const step = steerLiveEdge(
      this.#delayMs,
      this.targetMs,
      aheadMs,
      this.#options.rule ?? DEFAULT_LIVE_EDGE_RULE,
    );
    if (step.kind === 'seek') {
      this.#seeks++;
      media.playbackRate = 1;
      media.currentTime += step.seconds;
    } else if (media.playbackRate !== step.rate) {
      media.playbackRate = step.rate;
    }
  }

  /** Stops steering and destroys hls.js. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.hls.destroy();
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      if (this.#closed) return;
      try {
        this.step();
      } finally {
        // A throwing step (a media element gone odd) must not end the steering for good.
        this.#schedule();
      }
    }, LIVE_EDGE_STEP_MS);
  }
}
