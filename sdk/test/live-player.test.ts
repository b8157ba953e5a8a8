// The player helper over a stand-in hls.js and video element, on a manual clock: hls.js gets the
// low-latency config and the URL, the delay is measured from program date-time against the given
// clock, the rate is steered toward PART-HOLD-BACK (or the app's target), a far start is a seek,
// and close() stops the loop and destroys hls.js.

import { ManualClock } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import {
  HLS_BUFFER_APPENDED,
  HLS_LEVEL_LOADED,
  LIVE_EDGE_STEP_MS,
  LivePlayer,
  type HlsClass,
  type HlsLike,
  type LevelDetailsLike,
  type LivePlayerOptions,
  type VideoLike,
} from '../src/index.js';

class StandInHls implements HlsLike {
  static last: StandInHls | undefined;
  readonly config: Record<string, unknown>;
  source: string | undefined;
  attached: unknown;
  destroyed = false;
  playingDate: Date | null = null;
  latestLevelDetails: { partHoldBack?: number } | null = { partHoldBack: 0.6 };
  constructor(config: Record<string, unknown>) {
    this.config = config;
    StandInHls.last = this;
  }
  loadSource(url: string): void {
    this.source = url;
  }
  attachMedia(media: unknown): void {
    this.attached = media;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** A stand-in with hls.js's events and its settable start delay (targetLatency). */
class EventfulHls extends StandInHls {
  static lastEventful: EventfulHls | undefined;
  readonly listeners = new Map<string, ((event: string, data: never) => void)[]>();
  targetLatency: number | null = null;
  constructor(config: Record<string, unknown>) {
    super(config);
    EventfulHls.lastEventful = this;
  }
  on(event: string, listener: (event: string, data: never) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, data: unknown): void {
    for (const l of this.listeners.get(event) ?? []) l(event, data as never);
  }
}

/** A live playlist of 1 s segments, the last complete one [10, 11), parts up to `edge`. */
function details(edge: number): LevelDetailsLike {
  return {
    live: true,
    partHoldBack: 0.6,
    edge,
    fragments: [
      { start: 9, end: 10 },
      { start: 10, end: 11 },
    ],
    partList: [{}],
  };
}

/** A media element with settable buffered ranges [start, end). */
function bufferingVideo(): VideoLike & { ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  return {
    ranges,
    currentTime: 0,
    playbackRate: 1,
    paused: false,
    buffered: {
      get length() {
        return ranges.length;
      },
      start: (i) => ranges[i]![0],
      end: (i) => ranges[i]![1],
    },
  };
}

function video(bufferedAheadS: number): VideoLike {
  return {
    currentTime: 100,
    playbackRate: 1,
    paused: false,
    buffered: { length: 1, start: () => 99, end: () => 100 + bufferedAheadS },
  };
}

/**
 * A player of `url` 'u' over `Hls` on a manual clock that is also its wall clock (`now`), so a
 * program date-time set relative to `clock.now()` is a known delay.
 */
function clockedPlayer<H extends HlsLike>(
  Hls: HlsClass<H>,
  media: VideoLike,
  options: Partial<LivePlayerOptions<H>> = {},
): { clock: ManualClock; player: LivePlayer<H> } {
  const clock = new ManualClock();
  const player = new LivePlayer({
    Hls,
    media,
    url: 'u',
    clock,
    now: () => clock.now(),
    ...options,
  });
  return { clock, player };
}

describe('LivePlayer', () => {
  it('starts hls.js low-latency on the lowest rendition with its own catch-up off', () => {
    const clock = new ManualClock();
    const media = video(1);
    const player = new LivePlayer({
      Hls: StandInHls,
      media,
      url: 'https://m/live/e/t/master.m3u8',
      clock,
    });
    const hls = StandInHls.last!;
    expect(hls.config).toMatchObject({
      lowLatencyMode: true,
      startLevel: 0,
      maxLiveSyncPlaybackRate: 1,
    });
    expect([hls.source, hls.attached]).toEqual(['https://m/live/e/t/master.m3u8', media]);
    player.close();
  });

  it('reads the program date-time at the play head fresh on each call (playingAtMs)', () => {
    const clock = new ManualClock();
    const player = new LivePlayer({ Hls: StandInHls, media: video(1), url: 'u', clock });
    const hls = StandInHls.last!;
    expect(player.playingAtMs).toBeUndefined();
    hls.playingDate = new Date(1_700_000_000_123);
    expect(player.playingAtMs).toBe(1_700_000_000_123); // no step needed, unlike delayMs
    expect(player.delayMs).toBeUndefined();
    player.close();
  });

  it('measures the delay from program date-time and steers toward PART-HOLD-BACK', () => {
    const media = video(1);
    const { clock, player } = clockedPlayer(StandInHls, media);
    const hls = StandInHls.last!;
    expect(player.targetMs).toBe(600);
    clock.advance(LIVE_EDGE_STEP_MS);
    expect([player.delayMs, media.playbackRate]).toEqual([undefined, 1]); // nothing playing yet
    hls.playingDate = new Date(clock.now() - 700);
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(player.delayMs).toBe(700 + LIVE_EDGE_STEP_MS);
    expect(media.playbackRate).toBe(1.05);
    hls.playingDate = new Date(clock.now() + LIVE_EDGE_STEP_MS - 560);
    clock.advance(LIVE_EDGE_STEP_MS);
    expect([player.delayMs, media.playbackRate]).toEqual([560, 0.98]);
    player.close();
    expect(hls.destroyed).toBe(true);
    hls.playingDate = new Date(clock.now() - 5000);
    clock.advance(10 * LIVE_EDGE_STEP_MS);
    expect(media.playbackRate).toBe(0.98); // no step after close
  });

  it('jumps toward the app’s target when far behind, into what is buffered', () => {
    const media = video(5);
    const { clock, player } = clockedPlayer(StandInHls, media, { targetLatencyMs: 1000 });
    StandInHls.last!.playingDate = new Date(clock.now() + LIVE_EDGE_STEP_MS - 4000);
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(media.currentTime).toBeCloseTo(103);
    expect(player.seeks).toBe(1);
    player.close();
  });

  it('starts hls.js inside the last complete segment when edge - target is being written', () => {
    const media = bufferingVideo();
    const { clock, player } = clockedPlayer(EventfulHls, media);
    const hls = EventfulHls.lastEventful!;
    // Edge 11.8: 11.8 - 0.6 = 11.2 is in the segment in the making; start at 11 - 0.3 instead.
    hls.emit(HLS_LEVEL_LOADED, { details: details(11.8) });
    expect(hls.targetLatency).toBeCloseTo(1.1);
    expect(player.startLatencyS).toBeCloseTo(1.1);
    // Only the first playlist decides.
    hls.emit(HLS_LEVEL_LOADED, { details: details(13.8) });
    expect(hls.targetLatency).toBeCloseTo(1.1);
    // Once playing, hls.js's target is the helper's again.
    media.ranges.push([10, 11]);
    media.currentTime = 10.7;
    hls.playingDate = new Date(clock.now() - 1100);
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(hls.targetLatency).toBeCloseTo(0.6);
    player.close();
  });

  it('leaves the start to hls.js when edge - target is in a complete segment', () => {
    const player = new LivePlayer({ Hls: EventfulHls, media: bufferingVideo(), url: 'u' });
    const hls = EventfulHls.lastEventful!;
    hls.emit(HLS_LEVEL_LOADED, { details: details(11.2) });
    expect([hls.targetLatency, player.startLatencyS]).toEqual([null, undefined]);
    player.close();
  });

  it('shows the first buffered part at once, once', () => {
    const media = bufferingVideo();
    const player = new LivePlayer({ Hls: EventfulHls, media, url: 'u' });
    const hls = EventfulHls.lastEventful!;
    hls.emit(HLS_BUFFER_APPENDED, {}); // the init segment: nothing buffered yet
    media.ranges.push([10, 10.05]);
    hls.emit(HLS_BUFFER_APPENDED, {}); // less than half a part
    expect(media.currentTime).toBe(0);
    media.ranges[0] = [10, 10.2];
    hls.emit(HLS_BUFFER_APPENDED, {});
    expect(media.currentTime).toBe(10);
    media.currentTime = 10.1; // playing; hls.js then seeks to its start position
    media.ranges[0] = [10, 11];
    hls.emit(HLS_BUFFER_APPENDED, {});
    expect(media.currentTime).toBe(10.1);
    player.close();
  });

  it('does not move a play head hls.js already put into the buffer', () => {
    const media = bufferingVideo();
    const player = new LivePlayer({ Hls: EventfulHls, media, url: 'u' });
    media.ranges.push([10, 11]);
    media.currentTime = 10.6;
    EventfulHls.lastEventful!.emit(HLS_BUFFER_APPENDED, {});
    media.ranges[0] = [9, 11];
    EventfulHls.lastEventful!.emit(HLS_BUFFER_APPENDED, {});
    expect(media.currentTime).toBe(10.6);
    player.close();
  });

  it('with quickStart false, listens to no hls.js event', () => {
    const player = new LivePlayer({
      Hls: EventfulHls,
      media: video(1),
      url: 'u',
      quickStart: false,
    });
    expect(EventfulHls.lastEventful!.listeners.size).toBe(0);
    player.close();
  });

  it('after a quick start, jumps toward the target once enough is buffered', () => {
    const media = bufferingVideo();
    const { clock, player } = clockedPlayer(EventfulHls, media);
    const hls = EventfulHls.lastEventful!;
    media.ranges.push([10, 10.2]);
    hls.emit(HLS_BUFFER_APPENDED, {});
    expect(media.currentTime).toBe(10);
    // 1.4 s behind, 0.2 s buffered: no room to jump yet (the steering may seek, the jump does not).
    hls.playingDate = new Date(clock.now() + LIVE_EDGE_STEP_MS - 1400);
    media.ranges[0] = [10, 10.2];
    clock.advance(LIVE_EDGE_STEP_MS);
    expect([media.currentTime, player.seeks]).toEqual([10, 0]);
    // The segment is in: 1 s buffered; jump 0.7 s, keeping 0.3 s after the play head.
    media.ranges[0] = [10, 11];
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(media.currentTime).toBeCloseTo(10.7);
    expect(player.seeks).toBe(1);
    // Once only: 0.2 s behind the target after it (the steering's business, a rate).
    hls.playingDate = new Date(clock.now() + LIVE_EDGE_STEP_MS - 800);
    media.ranges[0] = [10, 12];
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(media.currentTime).toBeCloseTo(10.7);
    expect([player.seeks, media.playbackRate]).toEqual([1, 1.05]);
    player.close();
  });
});
