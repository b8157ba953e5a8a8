// The embedded engine idle (issue 17 point 7): `pnpm start`'s process (API, shard and PGlite in
// one process) on a new temporary data directory and free ports, video off (the media child and
// its ffmpeg are processes of their own, not counted, as docs/benchmarks.md measures by hand),
// left alone until its VmRSS stops moving, then stopped. No fan connects: this is the engine's
// floor, what `pnpm start` costs before anyone joins.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '@fanfare/testkit';
import { readRssKiB } from './proc-stats.js';
import { REPO_ROOT } from './runner.js';
import { emptyRow, round } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';
import { ServerProcess } from './server-process.js';

export interface IdlePlan {
  /** Time between VmRSS readings, ms. */
  intervalMs: number;
  /** Consecutive readings that must agree for the RSS to count as settled. */
  readings: number;
  /** How far apart those readings may be, as a share of the largest. */
  tolerance: number;
  /**
   * No settling before this long from ready, ms: V8 shrinks the idle engine's heap in steps
   * until ~30 s after ready (320 -> 314 -> 278 -> 244 MB at +8, +12 and +28 s in one run, each
   * step level for long enough to pass for settled).
   */
  minMs: number;
  /** Give up waiting after this long from ready and report the last reading unsettled, ms. */
  maxMs: number;
}

export const IDLE_PLAN: IdlePlan = {
  intervalMs: 5000,
  readings: 4,
  tolerance: 0.02,
  minMs: 30_000,
  maxMs: 60_000,
};

/** The line `pnpm start` prints before building the pages in its own process (web/src/pages.ts). */
const PAGE_BUILD_LINE = 'building the web pages';

/**
 * Whether the last `plan.readings` of `kib` lie within `plan.tolerance` of their largest: the
 * settled figure is then the last reading; undefined while they do not (or are too few).
 */
export function settledReading(kib: readonly number[], plan: IdlePlan): number | undefined {
  if (kib.length < plan.readings) return undefined;
  const last = kib.slice(-plan.readings);
  const max = Math.max(...last);
  return max - Math.min(...last) <= plan.tolerance * max ? last.at(-1) : undefined;
}

const MIB = 1024;

async function startEngine(dataDir: string): Promise<ServerProcess> {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  return await ServerProcess.start({
    name: 'fanfare-embedded-idle',
    cwd: REPO_ROOT,
    script: 'embedded/src/main.ts',
    env: {
      API_PORT: String(apiPort),
      GATEWAY_PORT: String(await freePort()),
      PGLITE_DATA_DIR: dataDir,
      EMBEDDED_MEDIA: 'off',
    },
    cpu: undefined,
    healthUrls: [`${apiUrl}/healthz`, `${apiUrl}/readyz`],
  });
}

/**
 * Starts the engine, waits for its RSS to settle (at most `plan.maxMs` after it is ready), stops
 * it and removes its data directory. `track` is given what to close should the run be stopped.
 */
export async function embeddedIdle(
  print: (line: string) => void,
  track: (c: { close(): Promise<void> }) => void = () => undefined,
  plan: IdlePlan = IDLE_PLAN,
): Promise<ScenarioRow> {
  const row = emptyRow('embedded-idle', 'fanfare', 1, 0);
  // A directory the engine has not seen: it runs initdb (in a child process) as a fresh clone's would.
  const tempDir = await mkdtemp(join(tmpdir(), 'fanfare-idle-'));
  const dataDir = join(tempDir, 'pglite');
  let engine: ServerProcess | undefined;
  const cleanUp = async (): Promise<void> => {
    await engine?.close();
    await rm(tempDir, { recursive: true, force: true });
  };
  track({ close: cleanUp });
  try {
    const started = performance.now();
    engine = await startEngine(dataDir);
    if (engine.output().includes(PAGE_BUILD_LINE)) {
      // A fresh clone: Vite built the pages inside the engine (~1.1 GB while it ran), which is
      // not the idle engine. Once built they are served from disk: start again.
      print('embedded-idle: the engine built the pages first; starting it again');
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
      engine = await startEngine(dataDir);
      row.notes.push('the first start built the web pages; measured on a second start');
    }
    row.startupMs = Math.round(performance.now() - started);
    const kib: number[] = [];
    const ready = performance.now();
    let settled: number | undefined;
    while (settled === undefined && performance.now() - ready < plan.maxMs) {
      await delay(kib.length === 0 ? 0 : plan.intervalMs);
      if (!engine.running) throw new Error(`the engine exited (${engine.exitDescription})`);
      kib.push(await readRssKiB(engine.pid));
      print(`embedded-idle: VmRSS ${round(kib.at(-1)! / MIB, 1)} MB`);
      if (performance.now() - ready >= plan.minMs) settled = settledReading(kib, plan);
    }
    row.idleRssMB = round((settled ?? kib.at(-1)!) / MIB, 1);
    row.idleRssReadingsMB = kib.map((k) => round(k / MIB, 1));
    row.idleRssSettled = settled !== undefined;
    row.notes.push(
      `VmRSS of the engine process every ${plan.intervalMs / 1000} s from ready until, ${plan.minMs / 1000} s on, ${plan.readings} readings agreed within ${plan.tolerance * 100} %; new data directory; EMBEDDED_MEDIA=off (the media child is its own process)`,
    );
    if (settled === undefined) {
      row.notes.push(`RSS still moving after ${plan.maxMs / 1000} s: the last reading is shown`);
    }
  } catch (error) {
    row.notes.push(
      `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  } finally {
    await cleanUp();
  }
  return row;
}
