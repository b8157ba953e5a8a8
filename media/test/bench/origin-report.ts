// The figures of `pnpm bench:origin` (bench-origin.ts) from the clients' receive times and the
// server's CPU time: per part, from when the packager had it to when the last client (and each
// client) got it, how many clients got it, and the server's CPU per client and per request.

import type { ClientsResult } from './clients.js';
import { pct } from './stats.js';

/** The mean time between parts, seconds. */
export function meanPartS(partTimes: Map<number, number>): number {
  // The mean, not the median: on a starved core parts arrive in bursts (many gaps near zero).
  const times = [...partTimes.values()];
  return (Math.max(...times) - Math.min(...times)) / 1000 / (times.length - 1);
}

export interface PhaseReport {
  name: string;
  parts: number;
  lastP50: number;
  lastP99: number;
  allP50: number;
  allP99: number;
  coverage: number;
  cpuCorePct: number;
  cpuUsPerClientS: number;
  requestsPerS: number;
  cpuUsPerRequest: number;
  /** CPU per request above the server's CPU with no clients (for nginx: the same). */
  marginalUsPerRequest: number;
  generatorCorePct: number;
  /** The generator's CPU per request it made (it must keep up for the latencies to mean much). */
  generatorUsPerRequest: number;
  /** Share of the server's CPU time spent in the kernel (syscalls, loopback TCP). */
  kernelShare: number;
  errors: string;
}

export function report(
  name: string,
  { results, generatorCpuS }: { results: ClientsResult[]; generatorCpuS: number },
  partTimes: Map<number, number>,
  window: [number, number],
  clients: number,
  cpuS: number,
  durationS: number,
  idleCpuPerS = 0,
  kernelShare = NaN,
): PhaseReport {
  const last: number[] = [];
  const all: number[] = [];
  let got = 0;
  let parts = 0;
  for (const [seq, at] of partTimes) {
    if (at < window[0] || at > window[1]) continue;
    parts++;
    let max = -Infinity;
    for (const r of results) {
      for (const t of r.received[seq] ?? []) {
        all.push(t - at);
        max = Math.max(max, t);
        got++;
      }
    }
    if (max > -Infinity) last.push(max - at);
  }
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const statuses: Record<string, number> = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  }
  return {
    name,
    parts,
    lastP50: pct(last, 0.5),
    lastP99: pct(last, 0.99),
    allP50: pct(all, 0.5),
    allP99: pct(all, 0.99),
    coverage: parts ? got / parts / clients : 0,
    cpuCorePct: (cpuS / durationS) * 100,
    cpuUsPerClientS: (cpuS / durationS / clients) * 1e6,
    requestsPerS: requests / durationS,
    cpuUsPerRequest: (cpuS / requests) * 1e6,
    marginalUsPerRequest: ((cpuS - idleCpuPerS * durationS) / requests) * 1e6,
    generatorCorePct: (generatorCpuS / durationS) * 100,
    generatorUsPerRequest: (generatorCpuS / requests) * 1e6,
    kernelShare,
    errors:
      Object.entries(statuses)
        .map(([k, v]) => `${v}× ${k === '0' ? 'socket' : k}`)
        .join(', ') || '0',
  };
}
