// `pnpm exec tsx media/test/bench-startup.ts [--runs 10] [--watch-s 6]`: the LivePlayer's start-up
// alone, paired (not a test). The media service publishes the demo pattern; one Chromium opens
// one page at a time, alternating the LivePlayer's quick start (the start rule and showing the
// first buffered part) with hls.js's own start, so both see the same load. Per page: first frame
// (page script to the first video frame), stalls and the delay behind live at the end of the
// watch. Reported per mode: first frame p50 and max, stalls, delay at the end.

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chromiumAvailable, launchChromium } from '@fanfare/testkit';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import { pct } from './bench/stats.js';
import {
  BENCH_SECRET,
  FIRST_SEGMENTS_WAIT_MS,
  segmentsReady,
  startMedia,
} from './media-harness.js';
import { servePlayerPage } from './player-page.js';

interface PageState {
  started: number;
  firstFrameAt: number;
  stalls: number;
  samples: [number, number, number][];
  stallLog: string[];
  timeline: Record<string, number>;
}

const EVENT = 'bench';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, 'watch-s': { type: 'string' } },
  });
  const runs = Number(values.runs ?? 10);
  const watchMs = Number(values['watch-s'] ?? 6) * 1000;
  if (!ffmpegAvailable() || !chromiumAvailable()) {
    console.error('bench-startup needs ffmpeg and Chromium');
    process.exit(2);
  }
  const media = await startMedia(BENCH_SECRET, { ...process.env, MEDIA_DEMO_EVENT: EVENT });
  const { service } = media;
  const master = media.masterUrl(EVENT, 'bench', 3600);
  const low = service.stream(EVENT)!.rendition(service.config.ladder.at(-1)!.name)!;
  await segmentsReady(low, 3, FIRST_SEGMENTS_WAIT_MS);
  const pageServer = await servePlayerPage();
  const browser = await launchChromium();
  // A throw-away page first: the browser's own first start is not the player's.
  const warm = await browser.newPage();
  await warm.goto(pageServer.url(master, { helper: true }));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await warm.close();
  const load0 = loadavg()[0]!;
  const results: Record<'quick' | 'hls.js', { ff: number[]; stalls: number; delays: number[] }> = {
    quick: { ff: [], stalls: 0, delays: [] },
    'hls.js': { ff: [], stalls: 0, delays: [] },
  };
  for (let i = 0; i < runs * 2; i++) {
    const mode = i % 2 === 0 ? 'quick' : 'hls.js';
    const page = await browser.newPage();
    await page.goto(pageServer.url(master, { helper: true, quickStart: mode === 'quick' }));
    await new Promise((resolve) => setTimeout(resolve, watchMs));
    const st = await page.evaluate(() => (window as unknown as { player: PageState }).player);
    await page.close();
    const r = results[mode];
    r.ff.push(st.firstFrameAt ? Math.round(st.firstFrameAt - st.started) : NaN);
    r.stalls += st.stalls;
    const steps = Object.entries(st.timeline).sort((x, y) => x[1] - y[1]);
    console.log(`${mode}: ${steps.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const line of st.stallLog) console.log(`  ${line}`);
    const last = st.samples.at(-1);
    if (last) r.delays.push(last[1]);
  }
  const load1 = loadavg()[0]!;
  await browser.close();
  await pageServer.close();
  await service.close();
  console.log(
    `| start | pages | first frame p50 | max | stalls | delay at ${watchMs / 1000} s p50 |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [mode, r] of Object.entries(results)) {
    console.log(
      `| ${mode} | ${r.ff.length} | ${pct(r.ff, 0.5)} ms | ${Math.max(...r.ff)} ms | ${r.stalls} | ${pct(r.delays, 0.5)} ms |`,
    );
    console.log(`  first frames: ${r.ff.join(', ')}`);
  }
  console.log(`load average ${load0.toFixed(1)} -> ${load1.toFixed(1)}`);
}

main().catch((err: unknown) => {
  console.error('bench-startup failed', err);
  process.exit(2);
});
