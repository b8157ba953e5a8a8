// hls.js in headless Chromium (Debian's, through playwright-core) plays the live demo stream from
// the origin: it reaches the playing state and its position advances. First frame and latency
// to the live edge are printed as figures, not asserted (speed is for the benchmarks).

import { chromiumAvailable, launchChromium, type Browser, type Page } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMediaConfig } from '../src/config.js';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import { MediaService } from '../src/media-service.js';
import { mintPlaybackToken } from '../src/playback-token.js';
import { servePlayerPage, type PlayerPage } from './player-page.js';

const SECRET = 'browser-test-secret-0123456789abcdef';
const ready = ffmpegAvailable() && chromiumAvailable();

interface PlayerState {
  started: number;
  playingAt: number;
  firstFrameAt: number;
  errors: string[];
  levels: number;
  latencies: number[];
  hlsLatency: number;
  targetLatency: number;
  buffered: number;
}

describe.skipIf(!ready)('hls.js in Chromium', () => {
  let service: MediaService;
  let browser: Browser;
  let page: Page;
  let player: PlayerPage;
  let master: string;

  beforeAll(async () => {
    const config = loadMediaConfig({
      MEDIA_PORT: '0',
      MEDIA_TOKEN_SECRET: SECRET,
      MEDIA_LADDER: '180p:320x180:300k,90p:160x90:100k',
      MEDIA_PRESET: 'ultrafast',
      MEDIA_DEMO_EVENT: 'demo',
    });
    service = new MediaService(config, { log: () => undefined });
    await service.start();
    const token = mintPlaybackToken(Buffer.from(SECRET), {
      eventId: 'demo',
      viewerId: 'browser',
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    master = service.masterUrl('demo', token);
    // Start the player once the stream has a few segments, as a fan joining a running event.
    const rendition = service.stream('demo')!.rendition('90p')!;
    await new Promise<void>((resolve) => {
      const off = rendition.onChange(() => {
        if (rendition.window().segments.filter((s) => s.complete).length >= 3) {
          off();
          resolve();
        }
      });
    });
    player = await servePlayerPage();
    browser = await launchChromium();
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await player?.close();
    await service?.close();
  });

  it('reaches the playing state and advances through the live stream', async () => {
    await page.goto(player.url(master));
    await page.waitForFunction(
      () => (window as unknown as { player: PlayerState }).player.playingAt > 0,
      undefined,
      { timeout: 20_000 },
    );
    const t0 = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await page.waitForFunction(
      (start) => document.querySelector('video')!.currentTime > start + 2,
      t0,
      { timeout: 20_000 },
    );
    const state = await page.evaluate(() => (window as unknown as { player: PlayerState }).player);
    expect(state.levels).toBe(2);
    expect(state.errors.filter((e) => e.endsWith('(fatal)'))).toEqual([]);
    const sorted = [...state.latencies].sort((a, b) => a - b);
    const pct = (p: number): number =>
      sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    console.log(
      `hls.js: playing ${(state.playingAt - state.started).toFixed(0)} ms after loadSource, ` +
        `first frame ${(state.firstFrameAt - state.started).toFixed(0)} ms; ` +
        `latency to live edge p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms over ${sorted.length} samples; ` +
        `hls.js latency ${state.hlsLatency?.toFixed(2)} s, target ${state.targetLatency?.toFixed(2)} s, buffer ahead ${state.buffered?.toFixed(2)} s; ` +
        `non-fatal errors: ${state.errors.join(', ') || 'none'}`,
    );
    expect(sorted.length).toBeGreaterThan(0);
  }, 60_000);
});
