// Server-side figures read from Linux /proc: resident memory (VmRSS) and CPU time (the threads'
// run time, else utime + stime). Reading /proc costs the server nothing and needs no cooperation from it; the price is
// Linux only, which is where the bench runs.

import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** Resident set size of `pid`, KiB. */
export async function readRssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat times. */
function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicks = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      // getconf missing: 100 is USER_HZ on every mainstream Linux build.
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU time `pid` has used so far, user plus system, seconds: the sum of its threads' run time
 * from /proc/<pid>/task/<tid>/schedstat (nanoseconds), else /proc/<pid>/stat's utime + stime
 * (clock ticks, 10 ms: a storm of 1,200 closes at ~30 µs each is 36 ms, too few ticks to
 * resolve). The thread sum leaves out threads that have exited; a server's threads live as
 * long as it does.
 */
export async function readCpuSeconds(pid: number): Promise<number> {
  try {
    const tids = await readdir(`/proc/${pid}/task`);
    const runs = await Promise.all(
      tids.map((tid) => readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')),
    );
    let ns = 0;
    for (const run of runs) ns += Number(run.slice(0, run.indexOf(' ')));
    if (Number.isFinite(ns) && ns > 0) return ns / 1e9;
  } catch {
    // No schedstat (kernel without it, or a thread gone between the listing and the read):
    // the tick-grained figure below.
  }
  return await readTickCpuSeconds(pid);
}

/** CPU time from /proc/<pid>/stat (utime + stime, clock ticks), seconds. */
export async function readTickCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, so 11 and 12 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`cannot read utime/stime from /proc/${pid}/stat`);
  }
  return (utime + stime) / clockTicksPerSecond();
}

/** CPU time all processes on the machine have used so far (every state but idle), seconds. */
export async function readHostBusySeconds(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8');
  const line = stat.slice(0, stat.indexOf('\n'));
  // `cpu  user nice system idle iowait irq softirq steal guest guest_nice`; guest time is
  // already inside user and nice, so only the first eight fields count.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 5 || ticks.some((t) => !Number.isFinite(t))) {
    throw new Error('cannot read the cpu line of /proc/stat');
  }
  const idle = ticks[3]! + ticks[4]!;
  return (ticks.reduce((a, b) => a + b, 0) - idle) / clockTicksPerSecond();
}

export interface SettleOptions {
  /** Time between samples, ms. */
  intervalMs: number;
  /** Consecutive samples within `toleranceKiB` of each other that count as settled. */
  stableSamples: number;
  toleranceKiB: number;
  /** Give up waiting and return the last sample after this long, ms. */
  timeoutMs: number;
}

export const DEFAULT_SETTLE: SettleOptions = {
  intervalMs: 250,
  stableSamples: 4,
  toleranceKiB: 512,
  timeoutMs: 5000,
};

/**
 * RSS of `pid` once it stops moving (allocations and GC after a burst of work take a moment),
 * KiB. `settled` is false when the timeout came first.
 */
export async function settledRssKiB(
  pid: number,
  options: SettleOptions = DEFAULT_SETTLE,
): Promise<{ rssKiB: number; settled: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  let window: number[] = [await readRssKiB(pid)];
  while (Date.now() < deadline) {
    await delay(options.intervalMs);
    window = [...window, await readRssKiB(pid)].slice(-options.stableSamples);
    const spread = Math.max(...window) - Math.min(...window);
    if (window.length === options.stableSamples && spread <= options.toleranceKiB) {
      return { rssKiB: window[window.length - 1]!, settled: true };
    }
  }
  return { rssKiB: window[window.length - 1]!, settled: false };
}
