// Who used the CPU over a window, process by process and core by core, from Linux /proc: each
// shard, the API, NATS and Redis, each generator, and each core's busy share. On a machine
// whose cores the servers and the generators share (the cluster scenario runs unpinned), these
// say which side a latency figure is the limit of: a saturated machine shows as every core busy.

import { readFile } from 'node:fs/promises';
import { commandLine } from './proc-pids.js';
import { readCpuSeconds } from './proc-stats.js';

export interface LabelledPid {
  name: string;
  pid: number;
}

/** One process's share of the window, % of one core. */
export interface ProcessCpu {
  name: string;
  cpu: number;
}

/**
 * Names server processes by what they run: `shard 1..N` (gateway/src/main.ts, numbered in
 * start order, which is pid order: the launcher starts them one after the other), `api`,
 * `nats`, `redis`; anything else by its program's file name.
 */
export function labelProcesses(entries: { pid: number; cmdline: string }[]): LabelledPid[] {
  const shards = entries
    .filter(
      (e) => e.cmdline.includes('gateway/src/main') || e.cmdline.includes('gateway/dist/main'),
    )
    .sort((a, b) => a.pid - b.pid);
  return entries.map((e) => {
    const shard = shards.indexOf(e);
    if (shard >= 0) return { name: `shard ${shard + 1}`, pid: e.pid };
    if (/\bapi\/(src|dist)\/main/.test(e.cmdline)) return { name: 'api', pid: e.pid };
    if (e.cmdline.includes('nats-server')) return { name: 'nats', pid: e.pid };
    if (e.cmdline.includes('redis-server')) return { name: 'redis', pid: e.pid };
    const program = e.cmdline.split(' ')[0] ?? '';
    return { name: program.split('/').at(-1) || `pid ${e.pid}`, pid: e.pid };
  });
}

export async function labelServerPids(pids: number[]): Promise<LabelledPid[]> {
  const lines = await Promise.all(pids.map(commandLine));
  return labelProcesses(pids.map((pid, i) => ({ pid, cmdline: lines[i]! })));
}

/** Busy and total ticks of each core (`cpu0`, `cpu1`, ... lines of /proc/stat). */
export interface CoreTicks {
  busy: number;
  total: number;
}

export function parseCoreTicks(stat: string): CoreTicks[] {
  const cores: CoreTicks[] = [];
  for (const line of stat.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (m === null) continue;
    // user nice system idle iowait irq softirq steal (guest time is inside user and nice).
    const ticks = m[2]!.trim().split(/\s+/).slice(0, 8).map(Number);
    if (ticks.length < 5 || ticks.some((t) => !Number.isFinite(t))) continue;
    const total = ticks.reduce((a, b) => a + b, 0);
    cores[Number(m[1])] = { busy: total - ticks[3]! - ticks[4]!, total };
  }
  return cores.filter((c) => c !== undefined);
}

/** Each core's busy share between two readings, %. */
export function coreBusyPercents(before: CoreTicks[], after: CoreTicks[]): number[] {
  return after.map((a, i) => {
    const b = before[i];
    if (b === undefined || a.total <= b.total) return 0;
    return Math.round(((a.busy - b.busy) / (a.total - b.total)) * 1000) / 10;
  });
}

/** Process CPU seconds and core ticks at one instant. */
export interface CpuMark {
  atMs: number;
  seconds: Map<string, number>;
  cores: CoreTicks[];
}

export async function markCpu(pids: LabelledPid[]): Promise<CpuMark> {
  const seconds = new Map<string, number>();
  await Promise.all(
    pids.map(async (p) => {
      // A process gone (or not ours) is left out of this window.
      const s = await readCpuSeconds(p.pid).catch(() => undefined);
      if (s !== undefined) seconds.set(p.name, s);
    }),
  );
  const cores = parseCoreTicks(await readFile('/proc/stat', 'utf8').catch(() => ''));
  return { atMs: performance.now(), seconds, cores };
}

/** Each process's CPU between two marks, % of one core, in the order of the later mark. */
export function processCpuBetween(before: CpuMark, after: CpuMark): ProcessCpu[] {
  const seconds = Math.max(0.001, (after.atMs - before.atMs) / 1000);
  const out: ProcessCpu[] = [];
  for (const [name, s] of after.seconds) {
    const s0 = before.seconds.get(name);
    if (s0 === undefined) continue;
    out.push({ name, cpu: Math.round(((s - s0) / seconds) * 1000) / 10 });
  }
  return out;
}
