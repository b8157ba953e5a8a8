// What the figures were measured on: results from another machine, or from this one while
// something else was busy, are not comparable, so every result file says.

import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { tasksetAvailable } from './server-process.js';

export interface MachineInfo {
  node: string;
  platform: string;
  kernel: string;
  cpus: number;
  cpuModel: string | undefined;
  memoryGiB: number;
  /** Open files a process may hold (the hard cap on sockets per server and generator). */
  openFilesLimit: number | undefined;
  /** Whether servers and generators were pinned to separate cores. */
  pinned: boolean;
  /** 1-minute load average when the run started: above ~0.5 something else was busy. */
  loadAverageAtStart: number;
}

function openFilesLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+)/m.exec(limits);
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined; // Not Linux: the limit is simply not reported.
  }
}

export function machineInfo(pin: boolean): MachineInfo {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    kernel: release(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    openFilesLimit: openFilesLimit(),
    pinned: pin && tasksetAvailable() && cpus().length > 1,
    loadAverageAtStart: Number(loadavg()[0]!.toFixed(2)),
  };
}
