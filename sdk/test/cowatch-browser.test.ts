// The co-watch check in a real browser: two pages in headless Chromium join one watch party on
// the embedded engine and play the same local video (rendered by ffmpeg). Ann reaches the
// gateway directly; Bob goes through a proxy that delays each direction 80 +- 40 ms, the
// integrators' path. After a host seek and a pause/resume, both elements are read against the
// machine's own clock, which both pages share: at the same true instant their positions must
// differ by no more than the goal (p95 15 ms, max 30 ms). Each page's own estimate of server time
// is not used for the comparison (it would hide clock error); the figures are printed so CI
// output shows them.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartyCommand } from '@fanfare/protocol';
import { silentLogger } from '@fanfare/gateway';
import {
  chromiumAvailable,
  launchChromium,
  startDelayProxy,
  type Browser,
  type DelayProxy,
  type Page,
} from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '@fanfare/embedded';
import {
  bundlePage,
  ffmpegAvailable,
  renderVideo,
  serveStatic,
  type StaticServer,
} from './cowatch/fixtures.js';
import type { PageStatus, Sample, cowatch as PageApi } from './cowatch/page.js';

/** The goal: two members' positions at the same true instant, ms apart (issue 18 point 4). */
const GOAL_P95_MS = 15;
const GOAL_MAX_MS = 30;
/** Bob's path: each direction `base + uniform[0, jitter)`, i.e. 80 +- 40 ms one way. */
const PATH = { baseMs: 40, jitterMs: 80 } as const;
/** How long both pages are read, ms. */
const SAMPLE_MS = 3_000;
/** Longest wait for a page to reach a state (media loading, clock sync, a gate, a seek), ms. */
const STEP_TIMEOUT_MS = 20_000;

const runnable = chromiumAvailable() && (await ffmpegAvailable());

type Api = typeof PageApi;
declare const cowatch: Api;

describe.skipIf(!runnable)('co-watch in Chromium', () => {
  let dir: string;
  let site: StaticServer;
  let engine: Engine;
  let browser: Browser;
  let proxy: DelayProxy;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fanfare-cowatch-'));
    await Promise.all([renderVideo(dir), bundlePage(dir)]);
    site = await serveStatic(dir);
    engine = await startEngine(
      {
        API_PORT: '0',
        GATEWAY_PORT: '0',
        PGLITE_DATA_DIR: 'memory',
        EMBEDDED_MEDIA: 'off',
        GATEWAY_ALLOWED_ORIGINS: site.origin,
      },
      { apiLogger: silentLogger, gatewayLogger: silentLogger },
    );
    const gateway = new URL(engine.gatewayUrl);
    proxy = await startDelayProxy({
      target: { host: gateway.hostname, port: Number(gateway.port) },
      up: PATH,
      down: PATH,
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await engine?.close();
    await site?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function member(name: string, delayed = false): Promise<Page> {
    const res = await fetch(`${engine.apiUrl}/v1/events/demo/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(200);
    const { token, gatewayUrl } = (await res.json()) as { token: string; gatewayUrl: string };
    const page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${name}: ${msg.text()}`);
    });
    await page.goto(`${site.origin}/`);
    await page.waitForFunction(() => typeof cowatch === 'object');
    const playable = await page.evaluate(() =>
      document.createElement('video').canPlayType('video/webm; codecs="vp9"'),
    );
    expect(playable, 'this Chromium cannot play VP9 WebM').not.toBe('');
    const url = new URL(gatewayUrl);
    if (delayed) url.port = String(proxy.port);
    await page.evaluate(([u, t]) => cowatch.connect(u, t), [url.href, token] as const);
    return page;
  }

  /**
   * Waits until `check(status, arg)` holds in the page (polled there; `check` is sent as source,
   * so it may use only its arguments), or fails saying what the page showed last.
   */
  async function until(
    page: Page,
    what: string,
    check: (s: PageStatus, arg: number) => boolean,
    arg = 0,
  ): Promise<void> {
    try {
      await page.waitForFunction(
        ([source, a]) => (new Function(`return ${source}`)() as typeof check)(cowatch.status(), a),
        [check.toString(), arg] as const,
        { timeout: STEP_TIMEOUT_MS, polling: 50 },
      );
    } catch (err) {
      const status = await page.evaluate(() => cowatch.status());
      throw new Error(`timed out waiting until ${what}: ${JSON.stringify(status)}`, { cause: err });
    }
  }

  const command = (page: Page, c: PartyCommand) => page.evaluate((cmd) => cowatch.command(cmd), c);

  it('keeps two pages, one behind an 80 +- 40 ms path, within 15 ms (p95) of each other', async () => {
    const ann = await member('Ann');
    const bob = await member('Bob', true);
    const media = `${site.origin}/testsrc.webm`;
    const code = await ann.evaluate((m) => cowatch.create(m), media);
    await bob.evaluate((c) => cowatch.join(c), code);
    const ready = (s: PageStatus) => s.synced && s.readiness === 'ready';
    for (const page of [ann, bob]) await until(page, 'loaded, synced and ready', ready);

    await command(ann, { op: 'play' });
    // The play may be held at the readiness gate and start when the server opens it (a new
    // timeline version); a host commands again once the picture moved, as a person would.
    const started = (s: PageStatus) => !s.paused;
    for (const page of [ann, bob]) await until(page, 'started by the play', started);
    await command(ann, { op: 'seek', position: 12 });
    const playingPast = (s: PageStatus, from: number) =>
      !s.paused && s.state === 'in-sync' && s.currentTime > from;
    for (const page of [ann, bob]) await until(page, 'playing after the seek', playingPast, 12.5);
    await command(ann, { op: 'pause' });
    const pausedInSync = (s: PageStatus) => s.paused && s.state === 'in-sync';
    for (const page of [ann, bob]) await until(page, 'paused', pausedInSync);
    const paused = await Promise.all([ann, bob].map((p) => p.evaluate(() => cowatch.status())));
    const pausedApartMs = Math.abs(paused[0]!.currentTime - paused[1]!.currentTime) * 1000;

    await command(ann, { op: 'play' });
    const resumedAt = paused[0]!.currentTime;
    for (const page of [ann, bob]) {
      await until(page, 'playing after the resume', playingPast, resumedAt + 1);
    }
    const [a, b] = await Promise.all(
      [ann, bob].map((p) => p.evaluate((ms) => cowatch.sample(ms), SAMPLE_MS)),
    );
    const apart = apartMs(a!, b!, 'trueNow');
    const byEstimate = apartMs(a!, b!, 'serverNow');
    const bounds = await Promise.all([ann, bob].map((p) => p.evaluate(() => cowatch.status())));

    console.log(
      `co-watch browser check (Bob behind ${PATH.baseMs}+[0,${PATH.jitterMs}) ms each way): ` +
        `playing, |A - B| at the same true instant over ${apart.count} samples: p50 ` +
        `${apart.p50.toFixed(1)} ms, p95 ${apart.p95.toFixed(1)} ms, max ${apart.max.toFixed(1)} ms ` +
        `(at each page's own server-time estimate: p95 ${byEstimate.p95.toFixed(1)} ms); paused: ` +
        `${pausedApartMs.toFixed(1)} ms apart; clock error bounds ` +
        `${bounds.map((s) => s.errorBoundMs.toFixed(1)).join(' / ')} ms`,
    );
    expect(apart.count).toBeGreaterThan(50);
    expect(apart.p95).toBeLessThanOrEqual(GOAL_P95_MS);
    expect(apart.max).toBeLessThanOrEqual(GOAL_MAX_MS);
    expect(pausedApartMs).toBeLessThanOrEqual(GOAL_MAX_MS);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

/**
 * How far apart two pages' positions were at the same instants of clock `clock` (the true clock, or
 * each page's own server-time estimate): for each of A's samples inside B's span, B's position
 * then (interpolated between B's samples around it), minus A's.
 */
function apartMs(a: Sample[], b: Sample[], clock: 'trueNow' | 'serverNow') {
  const diffs: number[] = [];
  let j = 0;
  for (const s of a) {
    while (j + 1 < b.length && b[j + 1]![clock] < s[clock]) j++;
    const lo = b[j]!;
    const hi = b[j + 1];
    if (!hi || lo[clock] > s[clock] || hi[clock] < s[clock]) continue;
    const f = (s[clock] - lo[clock]) / (hi[clock] - lo[clock] || 1);
    const position = lo.currentTime + f * (hi.currentTime - lo.currentTime);
    diffs.push(Math.abs(position - s.currentTime) * 1000);
  }
  diffs.sort((x, y) => x - y);
  const at = (q: number) => diffs[Math.min(diffs.length - 1, Math.floor(q * diffs.length))] ?? NaN;
  return { count: diffs.length, p50: at(0.5), p95: at(0.95), max: diffs.at(-1) ?? NaN };
}
