// The join storm's memory figure: what the connection-holding processes hold per connected fan.
// Read as: a full garbage collection in each process (inspector-gc.ts), then its settled RSS,
// once just before the first upgrade and once after the last welcome; the growth over the fans
// connected. Without the collections the reading depended on when V8 had last collected: RSS
// right after a 19,000-fan storm held 30 MB of the storm's garbage (158 MB, then 128 MB after a
// collection, same fans), and a baseline taken before V8 shrank the startup heap hid ~20 MB the
// other way (readings of 0.71-2.23 KiB for the same build). A warm-up storm (fans that connect
// and leave before the baseline) was measured and not kept: the memory they freed stays in the
// process and the measured storm reuses it (0.36-0.45 KiB, against 1.09-1.60 with collections).
// The figure read the old way (session-open RSS to the settled RSS right after the storm, no
// collection) is kept beside it, as `firstReadKiBPerConn`.

import { setTimeout as delay } from 'node:timers/promises';
import { collectGarbage } from './inspector-gc.js';
import type { HeapUsage } from './inspector-gc.js';
import { readCpuSeconds, settledRssKiB } from './proc-stats.js';
import { round } from './scenario-row.js';

/** The connection-holding processes' memory at one moment, summed over them, KiB. */
export interface MemoryReading {
  rssKiB: number;
  /** The processes were quiet before the collection and every RSS stopped moving after it. */
  settled: boolean;
  /** V8 heap right after a full collection in every process; absent without one. */
  heap?: { usedKiB: number; totalKiB: number };
  /** How long the collections and the settling took, ms (bench time, not a figure). */
  elapsedMs?: number;
}

/** A reading after collections, or why none could be made. */
export type Collected = { reading: MemoryReading } | { failure: string };

/** How `kibPerConn` was read. */
export type MemoryMethod =
  /** A full collection and settled RSS just before the first upgrade and after the storm. */
  | 'full-gc'
  /** The old reading: RSS when the session opened to settled RSS right after the storm. */
  | 'first-read';

export interface StormMemory {
  /** The row's figure, KiB per connected fan; null when not measured or not above zero. */
  kibPerConn: number | null;
  /** How it was read, the V8 heap's growth after collection and the old reading, KiB per fan. */
  memory: {
    method: MemoryMethod;
    heapUsedKiBPerConn: number | null;
    heapTotalKiBPerConn: number | null;
    firstReadKiBPerConn: number | null;
  };
  /** What the figures mean when they are not what the row's column says. */
  notes: string[];
}

export interface StormMemoryInput {
  connected: number;
  /** Before the first upgrade and after the storm, each after a collection, or why not. */
  before: Collected;
  after: Collected;
  /** The old reading's ends: RSS when the session opened, settled RSS right after the storm. */
  openedKiB: number | undefined;
  firstAfter: { kib: number; settled: boolean } | undefined;
}

/** Growth per fan, KiB, two decimals; null when not above zero (GC won the race). */
function perFan(from: number, to: number, fans: number): number | null {
  const v = (to - from) / fans;
  return v > 0 ? round(v) : null;
}

/**
 * The storm's figures from its readings. The collected reading is the row's figure when both
 * ends have one; else the old reading is, with a note saying why.
 */
export function stormMemory(input: StormMemoryInput): StormMemory {
  const { connected, before, after, openedKiB, firstAfter } = input;
  const notes: string[] = [];
  const firstRead =
    openedKiB === undefined || firstAfter === undefined || connected <= 0
      ? null
      : perFan(openedKiB, firstAfter.kib, connected);
  const b = 'reading' in before ? before.reading : undefined;
  const a = 'reading' in after ? after.reading : undefined;
  if (b?.heap === undefined || a?.heap === undefined || connected <= 0) {
    const why = 'failure' in after ? after.failure : 'failure' in before ? before.failure : 'none';
    notes.push(
      `memory read without a full collection (${why}): from the session's start to right after the storm`,
    );
    if (firstRead === null && firstAfter !== undefined && openedKiB !== undefined) {
      notes.push('server RSS fell while fans joined (GC): memory not measured');
    }
    if (firstAfter?.settled === false) notes.push('server RSS still moving when read');
    const memory = { heapUsedKiBPerConn: null, heapTotalKiBPerConn: null };
    return {
      kibPerConn: firstRead,
      memory: { method: 'first-read', ...memory, firstReadKiBPerConn: firstRead },
      notes,
    };
  }
  const kibPerConn = perFan(b.rssKiB, a.rssKiB, connected);
  if (kibPerConn === null) {
    notes.push('server RSS after collection fell over the storm: memory not measured');
  }
  if (!b.settled || !a.settled) {
    notes.push('server busy or its RSS still moving when read after a collection');
  }
  return {
    kibPerConn,
    memory: {
      method: 'full-gc',
      heapUsedKiBPerConn: round((a.heap.usedKiB - b.heap.usedKiB) / connected),
      heapTotalKiBPerConn: round((a.heap.totalKiB - b.heap.totalKiB) / connected),
      firstReadKiBPerConn: firstRead,
    },
    notes,
  };
}

/** A progress line: how long the collections and settling took (bench time). */
export function memoryProgress(before: Collected, after: Collected): string {
  const s = (c: Collected): string =>
    'reading' in c ? `${round((c.reading.elapsedMs ?? 0) / 1000, 1)} s` : 'not made';
  return `memory: collection and settled RSS before the storm ${s(before)}, after ${s(after)}`;
}

/**
 * The processes count as quiet below this share of a core over one slice: the collection does
 * not race the storm's tail (work a shard still has in hand is not state it holds per fan).
 */
export const QUIET_CPU_SHARE = 0.1;
const QUIET_SLICE_MS = 250;
/** Bound on the wait for quiet, ms: on a loaded machine the reading goes ahead after it. */
export const QUIET_WAIT_MAX_MS = 5000;

/** Waits until the processes together use less than QUIET_CPU_SHARE of a core, or the bound. */
async function quiet(pids: readonly number[]): Promise<boolean> {
  const cpu = async (): Promise<number> =>
    (await Promise.all(pids.map(readCpuSeconds))).reduce((a, b) => a + b, 0);
  const deadline = performance.now() + QUIET_WAIT_MAX_MS;
  let [before, t0] = [await cpu(), performance.now()];
  while (performance.now() < deadline) {
    await delay(QUIET_SLICE_MS);
    const [after, t1] = [await cpu(), performance.now()];
    if ((after - before) / ((t1 - t0) / 1000) < QUIET_CPU_SHARE) return true;
    [before, t0] = [after, t1];
  }
  return false;
}

/**
 * Once the processes are quiet (or QUIET_WAIT_MAX_MS passed), a full collection in each, then
 * their settled RSS; throws when a collection fails.
 */
export async function collectedMemory(pids: readonly number[]): Promise<MemoryReading> {
  if (pids.length === 0) throw new Error('no server process to read');
  const started = performance.now();
  const calm = await quiet(pids);
  const heaps: HeapUsage[] = await Promise.all(pids.map((pid) => collectGarbage(pid)));
  const rss = await Promise.all(pids.map((pid) => settledRssKiB(pid)));
  return {
    rssKiB: rss.reduce((s, r) => s + r.rssKiB, 0),
    settled: calm && rss.every((r) => r.settled),
    heap: {
      usedKiB: heaps.reduce((s, h) => s + h.usedBytes, 0) / 1024,
      totalKiB: heaps.reduce((s, h) => s + h.totalBytes, 0) / 1024,
    },
    elapsedMs: performance.now() - started,
  };
}

/** collectedMemory, or why not: a failed collection leaves the old reading, not a failed storm. */
export async function tryCollectedMemory(pids: readonly number[]): Promise<Collected> {
  try {
    return { reading: await collectedMemory(pids) };
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) };
  }
}

/** The RSS the detailed summary shows (report.ts): the ends the row's figure was read between. */
export function rssSpan(
  before: Collected,
  after: Collected,
  openedKiB: number | undefined,
  firstAfter: { kib: number; settled: boolean } | undefined,
): { beforeKiB: number; afterKiB: number; settled: boolean } | undefined {
  if ('reading' in before && 'reading' in after) {
    return {
      beforeKiB: before.reading.rssKiB,
      afterKiB: after.reading.rssKiB,
      settled: before.reading.settled && after.reading.settled,
    };
  }
  if (openedKiB === undefined || firstAfter === undefined) return undefined;
  return { beforeKiB: openedKiB, afterKiB: firstAfter.kib, settled: firstAfter.settled };
}
