// The tiered player over stand-ins for livekit-client's Room, hls.js and the video element, on a
// manual clock: WebRTC plays while its picture moves; a refused connection, no first frame within
// the bound, a stall or a lost room each switch to the LL-HLS fallback once, reported as
// `tierFallback` with its reason; an LL-HLS playback never touches LiveKit.

import { ManualClock } from '@fanfare/fanout/testing';
import type { LlHlsPlayback, WebRtcPlayback } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import {
  LIVE_EDGE_STEP_MS,
  TieredPlayer,
  WEBRTC_FIRST_FRAME_BOUND_MS,
  WEBRTC_STALL_BOUND_MS,
  type HlsLike,
  type RemoteTrackLike,
  type RoomLike,
  type TierFallback,
  type TieredMedia,
} from '../src/index.js';

class StandInHls implements HlsLike {
  static made: StandInHls[] = [];
  source: string | undefined;
  destroyed = false;
  playingDate: Date | null = null;
  latestLevelDetails = null;
  constructor() {
    StandInHls.made.push(this);
  }
  loadSource(url: string): void {
    this.source = url;
  }
  attachMedia(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}

type Listener = (...args: never[]) => void;
class StandInRoom implements RoomLike {
  static made: StandInRoom[] = [];
  static connect: () => Promise<void> = () => new Promise(() => undefined);
  readonly listeners = new Map<string, Listener>();
  connectedTo: [string, string] | undefined;
  disconnects = 0;
  constructor() {
    StandInRoom.made.push(this);
  }
  connect(url: string, token: string): Promise<void> {
    this.connectedTo = [url, token];
    return StandInRoom.connect();
  }
  async disconnect(): Promise<void> {
    this.disconnects++;
  }
  on(event: string, listener: Listener): this {
    this.listeners.set(event, listener);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    (this.listeners.get(event) as ((...a: unknown[]) => void) | undefined)?.(...args);
  }
}

const webrtc: WebRtcPlayback = {
  tier: 'webrtc',
  url: 'wss://lk.test',
  token: 'lk-token',
  room: 'fanfare-e',
  expiresAt: 0,
  fallback: 'https://media.test/live/e/t/master.m3u8',
};

function setup(options: { Room?: typeof StandInRoom | undefined } = { Room: StandInRoom }) {
  StandInHls.made = [];
  StandInRoom.made = [];
  const clock = new ManualClock();
  const media: TieredMedia = {
    currentTime: 0,
    playbackRate: 1,
    paused: false,
    buffered: { length: 0, start: () => 0, end: () => 0 },
    srcObject: null,
  };
  const player = new TieredPlayer({
    playback: webrtc,
    media,
    Hls: StandInHls,
    Room: options.Room,
    clock,
  });
  const fallbacks: TierFallback[] = [];
  player.on('tierFallback', (f) => fallbacks.push(f));
  const track: RemoteTrackLike & { attachedTo?: unknown; detached: number } = {
    kind: 'video',
    detached: 0,
    attach(element: never) {
      this.attachedTo = element;
      (element as TieredMedia).srcObject = 'stream';
    },
    detach() {
      this.detached++;
    },
  };
  return { clock, media, player, fallbacks, track };
}

/** Lets the stand-in's promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('TieredPlayer', () => {
  it('plays WebRTC while the picture moves, and never loads hls.js', async () => {
    const { clock, media, player, fallbacks, track } = setup();
    const room = StandInRoom.made[0]!;
    expect(room.connectedTo).toEqual(['wss://lk.test', 'lk-token']);
    room.emit('trackSubscribed', track);
    expect(track.attachedTo).toBe(media);
    for (let t = 0; t < 4 * WEBRTC_STALL_BOUND_MS; t += LIVE_EDGE_STEP_MS) {
      media.currentTime += LIVE_EDGE_STEP_MS / 1000;
      clock.advance(LIVE_EDGE_STEP_MS);
    }
    expect([player.tier, fallbacks, StandInHls.made]).toEqual(['webrtc', [], []]);
    player.close();
    expect([room.disconnects, media.srcObject]).toEqual([1, null]);
  });

  it('falls back to LL-HLS when LiveKit refuses the connection', async () => {
    StandInRoom.connect = () => Promise.reject(new Error('could not establish signal connection'));
    const { player, fallbacks } = setup();
    await settle();
    expect(player.tier).toBe('ll-hls');
    expect(fallbacks).toEqual([
      {
        from: 'webrtc',
        to: 'll-hls',
        reason: 'connect-failed',
        afterMs: 0,
        detail: 'could not establish signal connection',
      },
    ]);
    expect(StandInHls.made.map((h) => h.source)).toEqual([webrtc.fallback]);
    expect(StandInRoom.made[0]!.disconnects).toBe(1);
    StandInRoom.connect = () => new Promise(() => undefined);
  });

  it('falls back when no frame shows within the bound (a server that never answers)', () => {
    const { clock, player, fallbacks } = setup();
    clock.advance(WEBRTC_FIRST_FRAME_BOUND_MS - LIVE_EDGE_STEP_MS);
    expect(player.tier).toBe('webrtc');
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(player.tier).toBe('ll-hls');
    expect(fallbacks).toMatchObject([
      { reason: 'connect-timeout', afterMs: WEBRTC_FIRST_FRAME_BOUND_MS },
    ]);
    // Once: later steps neither report again nor make a second hls.js.
    clock.advance(10 * WEBRTC_FIRST_FRAME_BOUND_MS);
    expect([fallbacks.length, StandInHls.made.length]).toEqual([1, 1]);
  });

  it('falls back when the playing picture stalls, but not while the viewer pauses', () => {
    const { clock, media, player, fallbacks, track } = setup();
    StandInRoom.made[0]!.emit('trackSubscribed', track);
    media.currentTime = 1;
    clock.advance(LIVE_EDGE_STEP_MS);
    (media as { paused: boolean }).paused = true;
    clock.advance(3 * WEBRTC_STALL_BOUND_MS);
    expect(player.tier).toBe('webrtc');
    (media as { paused: boolean }).paused = false;
    clock.advance(WEBRTC_STALL_BOUND_MS);
    expect(player.tier).toBe('ll-hls');
    expect(fallbacks).toMatchObject([{ reason: 'stalled' }]);
    expect([track.detached, media.srcObject]).toEqual([1, null]);
  });

  it('falls back when the room disconnects', () => {
    const { clock, media, fallbacks, track } = setup();
    const room = StandInRoom.made[0]!;
    room.emit('trackSubscribed', track);
    media.currentTime = 1;
    clock.advance(LIVE_EDGE_STEP_MS);
    room.emit('disconnected');
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(fallbacks).toMatchObject([{ reason: 'disconnected' }]);
  });

  it('falls back at once, as `unsupported`, without a WebRTC client', () => {
    const { clock, player, fallbacks } = setup({ Room: undefined });
    expect(fallbacks).toEqual([]);
    clock.advance(0);
    expect([player.tier, fallbacks]).toMatchObject(['ll-hls', [{ reason: 'unsupported' }]]);
  });

  it('plays an LL-HLS playback directly, without LiveKit', () => {
    StandInHls.made = [];
    StandInRoom.made = [];
    const llHls: LlHlsPlayback = {
      tier: 'll-hls',
      url: webrtc.fallback,
      fallback: webrtc.fallback,
      expiresAt: 0,
    };
    const player = new TieredPlayer({
      playback: llHls,
      media: {
        currentTime: 0,
        playbackRate: 1,
        paused: false,
        buffered: { length: 0, start: () => 0, end: () => 0 },
        srcObject: null,
      },
      Hls: StandInHls,
      Room: StandInRoom,
      clock: new ManualClock(),
    });
    expect([player.tier, StandInRoom.made.length, StandInHls.made[0]!.source]).toEqual([
      'll-hls',
      0,
      webrtc.fallback,
    ]);
    player.close();
    expect(StandInHls.made[0]!.destroyed).toBe(true);
  });

  it("aims the LL-HLS player at the join reply's event-wide target unless the app names one", () => {
    const targets = (live: { targetLatencyMs?: number } | undefined, target?: number) => {
      const seen: number[] = [];
      const clock = new ManualClock();
      const player = new TieredPlayer({
        playback: { ...webrtc, ...(target !== undefined && { targetLatencyMs: target }) },
        media: {
          currentTime: 0,
          playbackRate: 1,
          paused: false,
          buffered: { length: 0, start: () => 0, end: () => 0 },
          srcObject: null,
        },
        Hls: StandInHls,
        Room: undefined, // falls back at once
        ...(live && { live }),
        clock,
        onLivePlayer: (live) => seen.push(live.targetMs),
      });
      clock.advance(0);
      player.close();
      return seen;
    };
    expect(targets(undefined, 2_500)).toEqual([2_500]);
    expect(targets({ targetLatencyMs: 1_200 }, 2_500)).toEqual([1_200]);
  });
});
