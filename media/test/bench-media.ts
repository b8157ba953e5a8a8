// `pnpm bench:media`: the LL-HLS benchmark in Chromium on loopback (not a test). The media service
// publishes the demo pattern; headless Chromium plays it in two pages through the SDK's
// LivePlayer and one page with plain hls.js, for `--duration-s` (120 by default). Reported per
// player: first frame (loadSource to the first frame), stalls (`waiting` after playback began),
// delay behind live from program date-time (p50/p95, after the first 10 s: start-up is first
// frame's business), and the spread between the two LivePlayers compared at the same instants.
// The ladder and the rest come from the MEDIA_* variables as for the media process.
// With `--shaped`, every player reaches the origin through its own shaping proxy (testkit's
// delay proxy: 25 ms each way, 50 ms RTT, and one link capped at `--cap-kbps`, 600 by default,
// below the top rendition) and the report adds which rendition ABR settled on. `--trace` prints
// hls.js's own log from the start and around each stall (the first three); `--plain-start` runs
// the LivePlayers with hls.js's own start (`quickStart: false`), the baseline for the quick one.
// Exit code 1 when a goal is missed, 2 on bad usage.

import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  chromiumAvailable,
  launchChromium,
  startDelayProxy,
  type DelayProxy,
} from '@fanfare/testkit';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import { pct } from './bench/stats.js';
import {
  BENCH_SECRET,
  FIRST_SEGMENTS_WAIT_MS,
  segmentsReady,
  startMedia,
} from './media-harness.js';
import { servePlayerPage } from './player-page.js';

const GOALS = { firstFrameMs: 1000, delayP95Ms: 800, stalls: 0, spreadP95Ms: 50 };
/** Samples from the first 10 s of playback are start-up, not the steady state. */
const SETTLE_MS = 10_000;
const EVENT = 'bench';

interface PageState {
  started: number;
  playingAt: number;
  firstFrameAt: number;
  stalls: number;
  seeks: number;
  target: number | undefined;
  samples: [number, number, number][];
  levelNames: string[] | undefined;
  levelSwitches: [number, number][];
  timeline: Record<string, number>;
  errors: string[];
  firstFrag: string | undefined;
  stallLog: string[];
  trace: string[];
  stallTraces: { lines: string[] }[];
}

/** The shaped path: one-way delay (half the RTT). */
const SHAPED_ONE_WAY_MS = 25;

function args(): {
  durationS: number;
  shapedKbps: number | undefined;
  trace: boolean;
  plainStart: boolean;
} {
  const { values } = parseArgs({
    options: {
      'duration-s': { type: 'string' },
      shaped: { type: 'boolean' },
      'cap-kbps': { type: 'string' },
      trace: { type: 'boolean' },
      'plain-start': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'usage: pnpm bench:media [--duration-s 120] [--shaped [--cap-kbps 600]] [--trace] [--plain-start]   (MEDIA_LADDER etc. as for media)',
    );
    process.exit(0);
  }
  const durationS = Number(values['duration-s'] ?? 120);
  if (!Number.isInteger(durationS) || durationS < 20) {
    console.error('--duration-s must be an integer of at least 20');
    process.exit(2);
  }
  const cap = Number(values['cap-kbps'] ?? 600);
  if (!Number.isInteger(cap) || cap < 50) {
    console.error('--cap-kbps must be an integer of at least 50');
    process.exit(2);
  }
  return {
    durationS,
    shapedKbps: values.shaped ? cap : undefined,
    trace: values.trace === true,
    plainStart: values['plain-start'] === true,
  };
}

async function main(): Promise<void> {
  const { durationS, shapedKbps, trace, plainStart } = args();
  if (!ffmpegAvailable() || !chromiumAvailable()) {
    console.error('bench:media needs ffmpeg and Chromium (deploy/local/services.sh)');
    process.exit(2);
  }
  const cpu0 = process.cpuUsage();
  const media = await startMedia(BENCH_SECRET, { ...process.env, MEDIA_DEMO_EVENT: EVENT });
  const { service } = media;
  const { config } = service;
  const master = media.masterUrl(EVENT, 'bench', durationS + 600);
  const low = service.stream(EVENT)!.rendition(config.ladder.at(-1)!.name)!;
  await segmentsReady(low, 3, FIRST_SEGMENTS_WAIT_MS);
  const pageServer = await servePlayerPage();
  const browser = await launchChromium();
  const kinds = ['LivePlayer A', 'LivePlayer B', 'hls.js alone'] as const;
  const pages = await Promise.all(kinds.map(() => browser.newPage()));
  // Shaped: each player its own line (a proxy whose connections share one capped link).
  const proxies: DelayProxy[] = [];
  const masters = await Promise.all(
    kinds.map(async () => {
      if (shapedKbps === undefined) return master;
      const down = { baseMs: SHAPED_ONE_WAY_MS, bytesPerSecond: (shapedKbps * 1000) / 8 };
      const proxy = await startDelayProxy({
        target: { host: '127.0.0.1', port: service.server.port },
        up: { baseMs: SHAPED_ONE_WAY_MS },
        down,
        sharedLink: true,
      });
      proxies.push(proxy);
      const url = new URL(master);
      url.port = String(proxy.port);
      return url.toString();
    }),
  );
  const load0 = loadavg()[0]!;
  const wallStart = Date.now();
  await Promise.all(
    pages.map((p, i) =>
      p.goto(
        pageServer.url(masters[i]!, {
          helper: kinds[i] !== 'hls.js alone',
          trace,
          quickStart: !plainStart,
        }),
      ),
    ),
  );
  const ladderText = config.ladder
    .map((r) => `${r.name} ${Math.round((r.videoBitrate + r.audioBitrate) / 1000)} kbps`)
    .join(', ');
  console.log(
    `bench:media: playing for ${durationS} s (${ladderText})` +
      (shapedKbps === undefined
        ? ' on loopback…'
        : ` through shaping proxies: ${2 * SHAPED_ONE_WAY_MS} ms RTT, ${shapedKbps} kbps per player…`),
  );
  await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
  const states = await Promise.all(
    pages.map((p) => p.evaluate(() => (window as unknown as { player: PageState }).player)),
  );
  const cpu = process.cpuUsage(cpu0);
  const load1 = loadavg()[0]!;
  await browser.close();
  for (const proxy of proxies) await proxy.close();
  await pageServer.close();
  await service.close();

  const rows = states.map((st, i) => {
    const firstFrame = st.firstFrameAt - st.started;
    const steady = st.samples.filter(([t]) => t >= wallStart + firstFrame + SETTLE_MS);
    const delays = steady.map(([, d]) => d);
    // The rendition ABR settled on: the one playing longest after the settling time.
    const settledFrom = wallStart + firstFrame + SETTLE_MS;
    const shares = new Map<number, number>();
    const switches = st.levelSwitches;
    for (let k = 0; k < switches.length; k++) {
      const from = Math.max(switches[k]![0], settledFrom);
      const to = switches[k + 1]?.[0] ?? wallStart + durationS * 1000;
      if (to > from) shares.set(switches[k]![1], (shares.get(switches[k]![1]) ?? 0) + to - from);
    }
    const settled = [...shares].sort((x, y) => y[1] - x[1])[0];
    const total = [...shares.values()].reduce((x, y) => x + y, 0);
    return {
      rendition: settled
        ? `${st.levelNames?.[settled[0]] ?? settled[0]} (${Math.round((settled[1] / total) * 100)} %, ${switches.length - 1} switches)`
        : '-',
      timeline: st.timeline,
      player: kinds[i]!,
      firstFrameMs: Math.round(firstFrame),
      stalls: st.stalls,
      seeks: st.seeks,
      delayP50Ms: pct(delays, 0.5),
      delayP95Ms: pct(delays, 0.95),
      target: st.target,
      samples: delays.length,
    };
  });
  // The two LivePlayers at the same instants: each A sample against B's nearest (≤ 100 ms away).
  const [a, b] = states;
  const spreads: number[] = [];
  for (const [t, d] of a!.samples) {
    if (t < wallStart + SETTLE_MS + rows[0]!.firstFrameMs) continue;
    const near = b!.samples.reduce<[number, number, number] | undefined>(
      (best, s) => (Math.abs(s[0] - t) < Math.abs((best?.[0] ?? Infinity) - t) ? s : best),
      undefined,
    );
    if (near && Math.abs(near[0] - t) <= 100) spreads.push(Math.abs(near[1] - d));
  }
  const spreadP50 = pct(spreads, 0.5);
  const spreadP95 = pct(spreads, 0.95);

  console.log(
    `\n| player | first frame | stalls | seeks | delay p50 | delay p95 | target | rendition settled on |`,
  );
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of rows) {
    console.log(
      `| ${r.player} | ${r.firstFrameMs} ms | ${r.stalls} | ${r.seeks} | ${r.delayP50Ms} ms | ${r.delayP95Ms} ms | ${r.target ?? '-'} ms | ${r.rendition} |`,
    );
  }
  console.log(
    '\nstart-up timeline, ms from the page script (master, media playlist, fragments, frame):',
  );
  for (const r of rows) {
    const steps = Object.entries(r.timeline).sort((x, y) => x[1] - y[1]);
    console.log(`  ${r.player}: ${steps.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  for (const [i, st] of states.entries()) {
    console.log(
      `  ${kinds[i]}: first fragment ${st.firstFrag ?? '-'}; errors: ${st.errors.join(', ') || 'none'}`,
    );
    for (const line of st.stallLog) console.log(`    ${line}`);
  }
  if (trace) {
    for (const [i, st] of states.entries()) {
      console.log(`\n--- ${kinds[i]}: hls.js log from the start ---\n${st.trace.join('\n')}`);
      for (const [k, stall] of st.stallTraces.entries()) {
        console.log(`\n--- ${kinds[i]}: around stall ${k + 1} ---\n${stall.lines.join('\n')}`);
      }
    }
  }
  console.log(
    `\nLivePlayer A vs B spread: p50 ${spreadP50} ms, p95 ${spreadP95} ms over ${spreads.length} instants`,
  );
  console.log(
    `machine: ${cpus().length} cores, load average ${load0.toFixed(1)} -> ${load1.toFixed(1)}; ` +
      `media process (origin, without its ffmpeg) ${((cpu.user + cpu.system) / 1e4 / durationS).toFixed(1)} % of a core`,
  );
  const helpers = rows.slice(0, 2);
  const verdict = [
    ['first frame <= 1 s', helpers.every((r) => r.firstFrameMs <= GOALS.firstFrameMs)],
    ['delay p95 <= 0.8 s', helpers.every((r) => r.delayP95Ms <= GOALS.delayP95Ms)],
    ['0 stalls', helpers.every((r) => r.stalls <= GOALS.stalls)],
    ['spread p95 <= 50 ms', spreadP95 <= GOALS.spreadP95Ms],
  ] as const;
  for (const [goal, met] of verdict) console.log(`${met ? 'met   ' : 'MISSED'} ${goal}`);
  process.exitCode = verdict.every(([, met]) => met) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error('bench:media failed', err);
  process.exit(2);
});
