// The player helper over a stand-in hls.js and video element, on a manual clock: hls.js gets the
// low-latency config and the URL, the delay is measured from program date-time against the given
// clock, the rate is steered toward PART-HOLD-BACK (or the app's target), a far start is a seek,
// and close() stops the loop and destroys hls.js.

import { ManualClock } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { LIVE_EDGE_STEP_MS, LivePlayer, type HlsLike, type VideoLike } from '../src/index.js';

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

function video(bufferedAheadS: number): VideoLike {
  return {
    currentTime: 100,
    playbackRate: 1,
    paused: false,
    buffered: { length: 1, end: () => 100 + bufferedAheadS },
  };
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
    const clock = new ManualClock();
    const media = video(1);
    const player = new LivePlayer({
      Hls: StandInHls,
      media,
      url: 'u',
      clock,
      now: () => clock.now(),
    });
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
    const clock = new ManualClock();
    const media = video(5);
    const player = new LivePlayer({
      Hls: StandInHls,
      media,
      url: 'u',
      clock,
      now: () => clock.now(),
      targetLatencyMs: 1000,
    });
    StandInHls.last!.playingDate = new Date(clock.now() + LIVE_EDGE_STEP_MS - 4000);
    clock.advance(LIVE_EDGE_STEP_MS);
    expect(media.currentTime).toBeCloseTo(103);
    expect(player.seeks).toBe(1);
    player.close();
  });
});
