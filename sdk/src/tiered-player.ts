// Plays the join reply's `playback` whatever its tier: WebRTC through LiveKit (livekit-client's
// `Room`, passed in by the app like hls.js, so the SDK stays dependency-free), watched every step
// against the bounds of tier-fallback.ts, and the LL-HLS `fallback` through LivePlayer the moment
// WebRTC fails, stalls or never shows a frame. The switch is reported as a `tierFallback` event
// (the seam for QoE beacons). Trade-off: one way only; a viewer who fell back stays on LL-HLS for
// this playback (a later join may offer WebRTC again; the app decides whether to ask).

import type { Playback } from '@fanfare/protocol';
import type { Clock, TimerHandle } from './clock.js';
import { systemClock } from './clock.js';
import { Emitter } from './emitter.js';
import {
  LIVE_EDGE_STEP_MS,
  LivePlayer,
  type HlsClass,
  type HlsLike,
  type LivePlayerOptions,
  type VideoLike,
} from './live-player.js';
import {
  DEFAULT_TIER_FALLBACK_BOUNDS,
  webrtcFallback,
  type TierFallbackBounds,
  type TierFallbackReason,
} from './tier-fallback.js';

/** What the player uses of a livekit-client `RemoteTrack`. */
export interface RemoteTrackLike {
  /** `video` or `audio`. */
  readonly kind: string;
  attach(element: never): unknown;
  detach(): unknown;
}

/** What the player uses of a livekit-client `Room` (livekit-client 2.x). */
export interface RoomLike {
  connect(url: string, token: string, options?: object): Promise<void>;
  disconnect(): Promise<void>;
  on(event: 'trackSubscribed', listener: (track: RemoteTrackLike) => void): unknown;
  on(event: 'disconnected', listener: () => void): unknown;
}

/** livekit-client's `Room` class. */
export type RoomClass = new (options?: object) => RoomLike;

/** The media element: a LivePlayer's, plus the stream a WebRTC track plays through. */
export interface TieredMedia extends VideoLike {
  srcObject: unknown;
}

/** A viewer left WebRTC for LL-HLS. */
export interface TierFallback {
  from: 'webrtc';
  to: 'll-hls';
  reason: TierFallbackReason;
  /** From the start of the WebRTC attempt to the switch, ms. */
  afterMs: number;
  /** What LiveKit or the browser said, when something failed with a message. */
  detail?: string;
}

export interface TieredPlayerEvents {
  /** Once, when WebRTC is given up; the LL-HLS player is already started. */
  tierFallback: TierFallback;
  /** The WebRTC picture moved for the first time (for LL-HLS, watch the element's `playing`). */
  playing: { tier: Playback['tier'] };
}

export interface TieredPlayerOptions<H extends HlsLike> {
  playback: Playback;
  media: TieredMedia;
  Hls: HlsClass<H>;
  /** livekit-client's `Room`; absent: WebRTC is not playable here (falls back, `unsupported`). */
  Room?: RoomClass | undefined;
  /** What the LL-HLS player is given besides its URL (target, server clock, config). */
  live?: Omit<LivePlayerOptions<H>, 'Hls' | 'media' | 'url' | 'clock'>;
  /** Called with each LivePlayer made (for hls.js error listeners). */
  onLivePlayer?: (player: LivePlayer<H>) => void;
  bounds?: TierFallbackBounds;
  clock?: Clock;
}

type State = 'webrtc' | 'll-hls' | 'closed';

/** Room options: subscribe to what the producer publishes, at the size the element shows. */
const ROOM_OPTIONS = Object.freeze({ adaptiveStream: true, dynacast: false });

export class TieredPlayer<H extends HlsLike = HlsLike> {
  readonly #options: TieredPlayerOptions<H>;
  readonly #clock: Clock;
  readonly #events = new Emitter<TieredPlayerEvents>();
  #state: State;
  #live: LivePlayer<H> | undefined;
  #room: RoomLike | undefined;
  #track: RemoteTrackLike | undefined;
  #timer: TimerHandle | undefined;
  #startedAt = 0;
  #lastTime = 0;
  #lastProgressAt: number | undefined;
  #connectFailed: string | undefined;
  #disconnected = false;
  #fallback: TierFallback | undefined;

  constructor(options: TieredPlayerOptions<H>) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const { playback } = options;
    if (playback.tier === 'webrtc') {
      this.#state = 'webrtc';
      this.#startWebRtc(playback.url, playback.token);
    } else {
      this.#state = 'll-hls';
      this.#startLive(playback.url);
    }
  }

  on<K extends keyof TieredPlayerEvents>(
    type: K,
    handler: (payload: TieredPlayerEvents[K]) => void,
  ): () => void {
    return this.#events.on(type, handler);
  }

  /** The tier playing now (or being tried); `closed` after close(). */
  get tier(): State {
    return this.#state;
  }

  /** Why WebRTC was given up, once it was. */
  get fallback(): TierFallback | undefined {
    return this.#fallback;
  }

  /** The LL-HLS player's delay behind live, ms; undefined on WebRTC (sub-second, no clock). */
  get delayMs(): number | undefined {
    return this.#live?.delayMs;
  }

  /**
   * The LL-HLS frame at the play head's program date-time, ms since the epoch (LivePlayer's
   * `playingAtMs`); undefined on WebRTC.
   */
  get playingAtMs(): number | undefined {
    return this.#live?.playingAtMs;
  }

  /** Stops whichever tier plays. Idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopWebRtc();
    this.#live?.close();
    this.#live = undefined;
  }

  #startWebRtc(url: string, token: string): void {
    this.#startedAt = this.#clock.now();
    const { Room } = this.#options;
    if (!Room) {
      // After the constructor, so a handler attached right after it sees the event.
      this.#timer = this.#clock.setTimeout(() => this.#fallBack('unsupported'), 0);
      return;
    }
    const room = new Room(ROOM_OPTIONS);
    this.#room = room;
    room.on('trackSubscribed', (track) => {
      if (track.kind !== 'video' || this.#room !== room) return;
      this.#track = track;
      track.attach(this.#options.media as never);
    });
    room.on('disconnected', () => {
      this.#disconnected = true;
    });
    room.connect(url, token, { autoSubscribe: true }).then(
      () => undefined,
      (err: unknown) => {
        if (this.#room !== room) return; // closed or given up already
        this.#connectFailed = err instanceof Error ? err.message : String(err);
        this.#fallBack('connect-failed', this.#connectFailed);
      },
    );
    this.#schedule();
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      if (this.#state !== 'webrtc') return;
      this.#step();
      if (this.#state === 'webrtc') this.#schedule();
    }, LIVE_EDGE_STEP_MS);
  }

  /** One look at the WebRTC picture: has it moved on since the last look? */
  #step(): void {
    const now = this.#clock.now();
    const media = this.#options.media;
    if (this.#track && media.currentTime > this.#lastTime) {
      if (this.#lastProgressAt === undefined) this.#events.emit('playing', { tier: 'webrtc' });
      this.#lastTime = media.currentTime;
      this.#lastProgressAt = now;
    } else if (this.#lastProgressAt !== undefined && media.paused) {
      this.#lastProgressAt = now; // the viewer paused: not a stall
    }
    const reason = webrtcFallback(
      {
        elapsedMs: now - this.#startedAt,
        connectFailed: this.#connectFailed !== undefined,
        disconnected: this.#disconnected,
        sinceProgressMs:
          this.#lastProgressAt === undefined ? undefined : now - this.#lastProgressAt,
      },
      this.#options.bounds ?? DEFAULT_TIER_FALLBACK_BOUNDS,
    );
    if (reason) this.#fallBack(reason);
  }

  #fallBack(reason: TierFallbackReason, detail?: string): void {
    if (this.#state !== 'webrtc') return;
    this.#state = 'll-hls';
    this.#stopWebRtc();
    const { playback } = this.#options;
    this.#fallback = {
      from: 'webrtc',
      to: 'll-hls',
      reason,
      afterMs: this.#clock.now() - this.#startedAt,
      ...(detail !== undefined ? { detail } : {}),
    };
    this.#startLive(playback.fallback);
    this.#events.emit('tierFallback', this.#fallback);
  }

  #stopWebRtc(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const room = this.#room;
    this.#room = undefined;
    this.#track?.detach();
    this.#track = undefined;
    // The element must drop the WebRTC stream: srcObject wins over the MSE source hls.js sets.
    this.#options.media.srcObject = null;
    // Nothing to wait for: a room that never connected rejects its connect, already handled.
    room?.disconnect().catch(() => undefined);
  }

  #startLive(url: string): void {
    const { Hls, media, live, playback } = this.#options;
    // The event-wide target the join reply names, unless the app chose its own.
    const targetLatencyMs = live?.targetLatencyMs ?? playback.targetLatencyMs;
    const player = new LivePlayer<H>({
      ...live,
      ...(targetLatencyMs !== undefined && { targetLatencyMs }),
      Hls,
      media,
      url,
      clock: this.#clock,
    });
    this.#live = player;
    this.#options.onLivePlayer?.(player);
  }
}
