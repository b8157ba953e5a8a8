// The co-watch check in a real browser: two pages in headless Chromium join one watch party on
// the embedded engine and play the same local video (rendered by ffmpeg). Ann reaches the
// gateway directly; Bob goes through a proxy that delays each direction 80 +- 40 ms, the
// integrators' path. After a host seek and a pause/resume, both elements are read against the
// machine's own clock, which both pages share, and compared at the same true instants.
//
// What is held to the goal (p95 15 ms, max 30 ms) is the gap beyond the path's asymmetry (issue
// 18 point 4): on a jittery path, the exchanges Bob's clock estimate stands on have some
// asymmetry no protocol can see, and his estimate may be off by up to half of it whatever the
// estimator does (docs/cowatch.md). The test knows the true clock, so it computes that part from
// Bob's own exchanges (the midpoint of what they allow, against the true offset taken from Ann's
// loopback exchanges) and takes it off the gap; the estimator's own error, the controller's and
// the players' all stay in. The raw gap at the same true instant and each page's estimate error
// are printed beside it, so CI output shows every figure. Each page's own estimate of server
// time is not used for the comparison (it would hide clock error).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartyCommand } from '@fanfare/protocol';
import { CLOCK_RESOLUTION_MS, MIN_SAMPLES } from '@fanfare/cowatch';
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
import type { ClockSample } from '../src/index.js';
import type { PageStatus, Sample, cowatch as PageApi } from './cowatch/page.js';

/**
 * The goal: two members' positions at the same true instant, ms apart, beyond the asymmetry their
 * clock exchanges leave (issue 18 point 4).
 */
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
    const [annEx, bobEx] = await Promise.all(
      [ann, bob].map((p) => p.evaluate(() => cowatch.exchanges())),
    );
    const bounds = await Promise.all([ann, bob].map((p) => p.evaluate(() => cowatch.status())));
    // The true offset (server clock minus the pages' clock): Ann's loopback exchanges pin it
    // within half her best round trip. Bob's exchanges, against it, give the asymmetry.
    const truth = allowed(annEx!);
    const asymmetryMs = allowed(bobEx!).midMs - truth.midMs;
    const gaps = gapsMs(a!, b!, 'trueNow');
    const raw = summary(gaps.map(Math.abs));
    const beyond = summary(gaps.map((g) => Math.abs(g - asymmetryMs)));
    const byEstimate = summary(gapsMs(a!, b!, 'serverNow').map(Math.abs));
    const estimateError = (s: Sample[]) =>
      mean(s.map((x) => x.serverNow - x.trueNow)) - truth.midMs;

    console.log(
      `co-watch browser check (Bob behind ${PATH.baseMs}+[0,${PATH.jitterMs}) ms each way), ` +
        `playing, ${beyond.count} samples: B - A at the same true instant beyond Bob's path ` +
        `asymmetry (${asymmetryMs.toFixed(1)} ms, from his ${bobEx!.length} exchanges against the ` +
        `true offset +-${truth.halfWidthMs.toFixed(1)} ms): p50 ${beyond.p50.toFixed(1)} ms, p95 ` +
        `${beyond.p95.toFixed(1)} ms, max ${beyond.max.toFixed(1)} ms; raw |A - B|: p50 ` +
        `${raw.p50.toFixed(1)}, p95 ${raw.p95.toFixed(1)}, max ${raw.max.toFixed(1)} ms; at each ` +
        `page's own server-time estimate: p95 ${byEstimate.p95.toFixed(1)} ms; clock estimate ` +
        `errors A ${estimateError(a!).toFixed(1)} / B ${estimateError(b!).toFixed(1)} ms (bounds ` +
        `${bounds.map((s) => s.errorBoundMs.toFixed(1)).join(' / ')} ms); paused: ` +
        `${pausedApartMs.toFixed(1)} ms apart`,
    );
    expect(beyond.count).toBeGreaterThan(50);
    expect(bobEx!.length).toBeGreaterThanOrEqual(MIN_SAMPLES);
    // Ann's exchanges must pin the truth far tighter than the goal, or the split means nothing.
    expect(truth.halfWidthMs).toBeLessThan(GOAL_P95_MS / 3);
    expect(beyond.p95).toBeLessThanOrEqual(GOAL_P95_MS);
    expect(beyond.max).toBeLessThanOrEqual(GOAL_MAX_MS);
    expect(pausedApartMs).toBeLessThanOrEqual(GOAL_MAX_MS + Math.abs(asymmetryMs));
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

/**
 * B's position minus A's, ms, at the same instants of clock `clock` (the true clock, or each
 * page's own server-time estimate): for each of A's samples inside B's span, B's position then
 * (interpolated between B's samples around it), minus A's.
 */
function gapsMs(a: Sample[], b: Sample[], clock: 'trueNow' | 'serverNow'): number[] {
  const gaps: number[] = [];
  let j = 0;
  for (const s of a) {
    while (j + 1 < b.length && b[j + 1]![clock] < s[clock]) j++;
    const lo = b[j]!;
    const hi = b[j + 1];
    if (!hi || lo[clock] > s[clock] || hi[clock] < s[clock]) continue;
    const f = (s[clock] - lo[clock]) / (hi[clock] - lo[clock] || 1);
    const position = lo.currentTime + f * (hi.currentTime - lo.currentTime);
    gaps.push((position - s.currentTime) * 1000);
  }
  return gaps;
}

function summary(values: number[]) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN };
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * What a page's exchanges allow the offset (server clock minus the page's) to be: each one puts
 * it between `serverTime - t1` and `serverTime - t0` (each leg took at least nothing), widened by
 * the server stamp's resolution; the pages share the machine's clock, so there is no drift to
 * carry and the intersection is exact. Its
 * midpoint is the best any estimator can do from these exchanges; how far that lies from the
 * truth is the path asymmetry they leave.
 */
function allowed(exchanges: readonly ClockSample[]): { midMs: number; halfWidthMs: number } {
  const lo = Math.max(...exchanges.map((e) => e.serverTime - e.t1 - CLOCK_RESOLUTION_MS));
  const hi = Math.min(...exchanges.map((e) => e.serverTime - e.t0 + CLOCK_RESOLUTION_MS));
  return { midMs: (lo + hi) / 2, halfWidthMs: (hi - lo) / 2 };
}
