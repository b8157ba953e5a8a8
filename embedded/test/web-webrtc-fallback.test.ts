// The WebRTC tier's fallback on the fan page, in Chromium: the engine runs with LIVEKIT_* pointing
// at a LiveKit that is not there (a port that refuses connections, then one that accepts and never
// answers), the demo event has WebRTC seats, so the page's join asks for and gets `webrtc`;
// livekit-client in the page fails (or stalls) against it, and the page ends up playing the demo
// stream over LL-HLS (the video's currentTime advancing), saying why, under the pages' strict CSP.

import { createServer, type Server, type Socket } from 'node:net';
import { ffmpegAvailable } from '@fanfare/media';
import type { Playback } from '@fanfare/protocol';
import { WEBRTC_FIRST_FRAME_BOUND_MS } from '@fanfare/sdk';
import { chromiumAvailable, freePort, type Page } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebHarness, type WebHarness } from './web-harness.js';

/** Longest wait for the demo stream to go live, or for a page to show something, ms. */
const LIVE_MS = 45_000;
/** Each test's budget, ms: ffmpeg, Vite, Chromium and hls.js on a shared 2-core box. */
const TEST_MS = 150_000;

/** A LiveKit that is not there: `refuse` drops each connection, `hang` holds it unanswered. */
class AbsentLiveKit {
  mode: 'refuse' | 'hang' = 'refuse';
  connections = 0;
  readonly #held = new Set<Socket>();
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.connections++;
      if (this.mode === 'refuse') {
        socket.destroy();
        return;
      }
      this.#held.add(socket);
      socket.on('error', () => undefined); // the page hangs up: nothing to report
      socket.on('close', () => this.#held.delete(socket));
    });
  }

  static async start(port: number): Promise<AbsentLiveKit> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new AbsentLiveKit(server);
  }

  async close(): Promise<void> {
    for (const socket of this.#held) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe.skipIf(!chromiumAvailable() || !ffmpegAvailable())(
  'the fan page falls back from WebRTC to LL-HLS in Chromium',
  () => {
    let h: WebHarness;
    let livekit: AbsentLiveKit;
    /** The absent LiveKit's origin: what the page fails to reach there is the expected failure. */
    let livekitOrigin = '';
    const mediaLines: string[] = [];

    beforeAll(async () => {
      const port = await freePort();
      livekit = await AbsentLiveKit.start(port);
      livekitOrigin = `127.0.0.1:${port}`;
      h = await startWebHarness(
        {
          EMBEDDED_MEDIA: 'on',
          MEDIA_PORT: '0',
          MEDIA_RTMP_PORT: '0',
          MEDIA_SRT_PORT: '0',
          MEDIA_LADDER: '180p:320x180:250k,90p:160x90:80k',
          MEDIA_FRAME_RATE: '15',
          MEDIA_PRESET: 'ultrafast',
          LIVEKIT_URL: `http://127.0.0.1:${port}`,
          LIVEKIT_API_KEY: 'APIabsent',
          LIVEKIT_API_SECRET: 'absent-secret-absent-secret-absent-secret',
        },
        (line) => mediaLines.push(line),
      );
      // The demo event gets WebRTC seats, as a producer would set them.
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${h.engine.apiUrl}${path}`, {
          ...init,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${h.engine.producerToken}`,
          },
        });
      const { event } = (await (await api('/v1/events/demo')).json()) as {
        event: { version: number };
      };
      const patched = await api('/v1/events/demo', {
        method: 'PATCH',
        body: JSON.stringify({ version: event.version, webrtcSeats: 10 }),
      });
      expect(patched.status).toBe(200);
      // The demo stream live before any page asks for it.
      const deadline = Date.now() + LIVE_MS;
      for (;;) {
        const { stream } = (await (await api('/v1/events/demo/stream')).json()) as {
          stream: { state: string } | null;
        };
        if (stream?.state === 'live') break;
        if (Date.now() > deadline) {
          throw new Error(`the demo stream is not live: ${mediaLines.slice(-5).join(' | ')}`);
        }
        await new Promise((r) => setTimeout(r, 500)); // no event to wait on: the origin is polled
      }
    }, 120_000);
    afterAll(async () => {
      await h?.close();
      await livekit?.close();
    });

    /** Opens the demo fan page; resolves with the page and the playback its join was given. */
    async function openFan(name: string, viewport: typeof PHONE | typeof DESKTOP) {
      const context = await h.browser.newContext({ viewport });
      const page = await context.newPage();
      const lines: string[] = [];
      // A resource that failed to load is named by the message's location, not its text.
      page.on('console', (msg) =>
        lines.push(`${msg.type()}: ${msg.text()} @ ${msg.location().url}`),
      );
      page.on('pageerror', (err) => lines.push(`pageerror: ${err.message}`));
      const joined = page.waitForResponse((res) => res.url().endsWith('/v1/events/demo/join'));
      await page.goto(`${h.engine.apiUrl}/?name=${name}`);
      const playback = ((await (await joined).json()) as { playback: Playback }).playback;
      return { page, lines, playback };
    }

    /** Waits until the video has played a while and is still advancing; returns its time. */
    async function playsLlHls(page: Page): Promise<number> {
      await page.locator('.player[data-tier="ll-hls"]').waitFor({ timeout: LIVE_MS });
      await page.waitForFunction(() => document.querySelector('video')!.currentTime > 1, null, {
        timeout: LIVE_MS,
      });
      const at = await page.evaluate(() => document.querySelector('video')!.currentTime);
      await page.waitForFunction((t) => document.querySelector('video')!.currentTime > t + 1, at, {
        timeout: LIVE_MS,
      });
      const video = await page.evaluate(() => {
        const v = document.querySelector('video')!;
        return { src: v.src, srcObject: v.srcObject, time: v.currentTime };
      });
      // hls.js plays through Media Source Extensions: a blob: source, no WebRTC stream left.
      expect(video.src).toMatch(/^blob:/);
      expect(video.srcObject).toBeNull();
      return video.time;
    }

    /** What the page logged that is not the expected failure to reach the absent LiveKit. */
    const unexpected = (lines: string[]) =>
      lines.filter(
        (l) =>
          /Content Security Policy|pageerror/.test(l) ||
          (l.startsWith('error:') &&
            !l.endsWith(`@ http://${livekitOrigin}`) &&
            !l.includes(`@ http://${livekitOrigin}/`) &&
            !/WebSocket|livekit|signal|ERR_CONNECTION|rtc/i.test(l.split(' @ ')[0]!)),
      );

    it(
      'plays LL-HLS when LiveKit refuses the connection, and says so',
      async () => {
        livekit.mode = 'refuse';
        const before = livekit.connections;
        const { page, lines, playback } = await openFan('Ann', PHONE);
        expect(playback).toMatchObject({ tier: 'webrtc', url: expect.stringMatching(/^ws:/) });
        expect(playback.fallback).toMatch(/\/master\.m3u8$/);
        const note = page.locator('.player-note');
        await note.waitFor({ timeout: LIVE_MS });
        expect(await note.getAttribute('data-reason')).toBe('connect-failed');
        await playsLlHls(page);
        // livekit-client really went to the configured LiveKit (the CSP let it).
        expect(livekit.connections).toBeGreaterThan(before);
        expect(unexpected(lines)).toEqual([]);
        await h.shot(page, 'fan-webrtc-fallback');
        await page.context().close();
      },
      TEST_MS,
    );

    it(
      'plays LL-HLS when LiveKit accepts and never answers, once the first-frame bound passes',
      async () => {
        livekit.mode = 'hang';
        const { page, lines, playback } = await openFan('Bob', DESKTOP);
        expect(playback.tier).toBe('webrtc');
        const started = Date.now();
        const note = page.locator('.player-note');
        await note.waitFor({ timeout: LIVE_MS });
        // Not before the bound (the page's own clock started before ours: a little slack).
        expect(Date.now() - started).toBeGreaterThan(WEBRTC_FIRST_FRAME_BOUND_MS - 1_000);
        expect(await note.getAttribute('data-reason')).toBe('connect-timeout');
        await playsLlHls(page);
        expect(unexpected(lines)).toEqual([]);
        await h.shot(page, 'fan-webrtc-fallback');
        await page.context().close();
      },
      TEST_MS,
    );
  },
);
