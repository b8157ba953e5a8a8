// QoE end to end in Chromium: the fan page plays the demo stream with real hls.js through a proxy
// in front of the media origin (MEDIA_PUBLIC_URL points at it); the proxy then stalls the link
// for a few seconds, the picture rebuffers, and the player's beacons travel fan → shard (its QoE
// window: 1 s here, 5 s in production) → API (/metrics at once, Postgres at the next write: every
// 1 s here, 5 s in production) → the console's Viewer QoE panel, which shows the stall against
// the 1 % target. Screenshotted at desktop and phone width.

import { ffmpegAvailable } from '@fanfare/media';
import type { QoeAnswer } from '@fanfare/protocol';
import { chromiumAvailable, freePort, startDelayProxy, type DelayProxy } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebHarness, type WebHarness } from './web-harness.js';

/** Longest wait for something a page or the API should show, ms (a loaded CI box). */
const SHOW_MS = 20_000;
/** How long the link stalls, ms: past the player's ~1 s of buffer at a 1 s delay. */
const STALL_MS = 3_000;
/** The shard's QoE window and the API's write period, ms (5 s each in production). */
const QOE_MS = 1_000;

describe.skipIf(!chromiumAvailable() || !ffmpegAvailable())('QoE from a real player', () => {
  let h: WebHarness;
  let proxy: DelayProxy;
  beforeAll(async () => {
    const mediaPort = await freePort();
    // The proxy connects to the origin per connection, so it can start before the origin does.
    proxy = await startDelayProxy({
      target: { host: '127.0.0.1', port: mediaPort },
      up: { baseMs: 0 },
      down: { baseMs: 0 },
    });
    h = await startWebHarness(
      {
        EMBEDDED_MEDIA: 'on',
        MEDIA_PORT: String(mediaPort),
        MEDIA_RTMP_PORT: '0',
        MEDIA_SRT_PORT: '0',
        MEDIA_PUBLIC_URL: `http://127.0.0.1:${proxy.port}`,
        // A tiny ladder at 15 fps so two shared cores keep up (as spoiler-free.test.ts).
        MEDIA_LADDER: '180p:320x180:250k,90p:160x90:80k',
        MEDIA_FRAME_RATE: '15',
        MEDIA_PRESET: 'ultrafast',
      },
      undefined,
      { windowMs: QOE_MS, flushMs: QOE_MS },
    );
  }, 90_000);
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  const qoe = async (): Promise<QoeAnswer> => {
    const res = await fetch(`${h.engine.apiUrl}/v1/events/demo/qoe?minutes=5`, {
      headers: { authorization: `Bearer ${h.engine.producerToken}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as QoeAnswer;
  };

  it('counts a stall of hls.js behind a stalled link, from the player to the console', async () => {
    const fan = await h.open('qoe-fan', '/?name=Quinn&delay=1000', DESKTOP);
    const player = fan.locator('.player[data-status="playing"]');
    await player.waitFor({ timeout: SHOW_MS });
    // Steady playback first: the player's quick start shows its first frame with a fraction of a
    // second buffered and may rebuffer once right after; a stall begun then would fire no new
    // `waiting` (the video is already waiting). So wait for a second of picture played with
    // data ahead before stalling the link.
    const startedAt = await fan.evaluate(() => document.querySelector('video')!.currentTime);
    await fan.waitForFunction(
      (from) => {
        const video = document.querySelector('video')!;
        return !video.paused && video.readyState >= 3 && video.currentTime >= from + 1;
      },
      startedAt,
      { timeout: SHOW_MS },
    );
    const waiting = fan.evaluate(
      (timeoutMs) =>
        new Promise<number>((resolve, reject) => {
          const video = document.querySelector('video')!;
          const at = performance.now();
          video.addEventListener('waiting', () => resolve(performance.now() - at), { once: true });
          setTimeout(() => reject(new Error(`no 'waiting' within ${timeoutMs} ms`)), timeoutMs);
        }),
      SHOW_MS,
    );
    proxy.stall();
    const stalledAfter = await waiting;
    await new Promise((ok) => setTimeout(ok, STALL_MS));
    proxy.resume();
    // Playing again after the stall: the player sent rebuffer_end with the stall's length.
    await fan.waitForFunction(() => !document.querySelector('video')!.paused, undefined, {
      timeout: SHOW_MS,
    });

    let answer = await qoe();
    await expect
      .poll(
        async () => {
          answer = await qoe();
          return answer.total.rebufferSeconds > 0 && answer.total.starts >= 1;
        },
        { timeout: SHOW_MS, interval: 500 },
      )
      .toBe(true);
    const { total } = answer;
    console.log(
      `QoE end to end: the picture stalled ${Math.round(stalledAfter)} ms into the link's stall; ` +
        `stored: ${total.starts} start(s), video start p50 ${total.vstP50Ms} ms, ` +
        `${total.rebuffers} stall(s) of ${total.rebufferSeconds} s over ${total.watchSeconds} s ` +
        `watched (rebuffering ${((total.rebufferingRatio ?? 0) * 100).toFixed(1)} %)`,
    );
    expect(total.rebuffers).toBeGreaterThanOrEqual(1);
    expect(total.rebufferingRatio).toBeGreaterThan(0);
    expect(answer.byTier.map((t) => t.tier)).toEqual(['ll-hls']);
    const metrics = await (await fetch(`${h.engine.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /fanfare_qoe_rebuffers_total\{[^}]*event="demo"[^}]*tier="ll-hls"[^}]*\} [1-9]/,
    );

    for (const viewport of [DESKTOP, PHONE]) {
      const page = await h.open(`qoe-console-${viewport.width}`, '/console', viewport);
      await page.getByLabel('Producer token').fill(h.engine.producerToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: /^Fanfare demo/ }).click();
      const panel = page.getByRole('region', { name: 'Viewer QoE' });
      const rebuffering = panel.locator('[data-qoe="rebuffering"]');
      await rebuffering.waitFor({ timeout: SHOW_MS });
      expect(await rebuffering.getAttribute('data-verdict')).not.toBe('none');
      await expect.poll(() => panel.getByText(/stalls\)/).textContent()).toMatch(/[1-9]\d* stalls/);
      expect(await panel.getByRole('img', { name: /with the 1 % and 5 % targets/ }).count()).toBe(
        1,
      );
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(viewport.width);
      await panel.scrollIntoViewIfNeeded();
      await h.shot(page, 'console-qoe');
      await page.context().close();
    }
    await fan.context().close();
    // The only errors: the browser's line for the stream panel's refusal on the demo event (its
    // test pattern has no stream key to make: 409 `stream_conflict`).
    for (const line of h.errors) expect(line).toMatch(/^qoe-console-\d+: .* 409 \(Conflict\)$/);
  }, 120_000);
});
