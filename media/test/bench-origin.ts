// `pnpm bench:origin`: the LL-HLS origin alone under 5,000 simulated clients on one core (not a
// test), and nginx serving the same rendition as static files to polling clients, the peer, in
// the same run. The origin runs in its own process (bench/origin-process.ts) publishing the demo
// pattern, pinned to core 0 with taskset (ffmpeg and the load generator on the others); the
// clients (bench/clients.ts) run in worker threads over raw keep-alive sockets.
//
// Phase 1, origin: every client holds a blocking playlist reload (`_HLS_msn`/`_HLS_part`,
// `_HLS_skip=YES`) and fetches the newest part when it is answered. Phase 2, nginx (one worker,
// core 0, files mirrored by the origin process from then on): every client polls the full playlist every
// `--poll-ms` and fetches the newest part when it changed.
// Per part: from when the packager had it to when the last client got it (p50/p99 over the
// parts of the measured window), the same for every client's copy, how many clients got it; CPU
// of the serving process per client, from its own CPU time. Exit 1 when a goal is missed.

import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { freePort } from '@fanfare/testkit';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import { mintPlaybackToken } from '../src/playback-token.js';
import type { ClientsJob, ClientsResult } from './bench/clients.js';
import type { OriginMessage } from './bench/origin-process.js';
import { NGINX_PATH, nginxAvailable } from './nginx-edge.js';

const GOAL_LAST_CLIENT_P99_MS = 100;
const SECRET = 'bench-origin-secret-0123456789abcdefgh';
const WORKERS = 2;
const RAMP_MS = 10_000;
/** Parts that arrive within this long after the ramp are not measured (clients settle). */
const SETTLE_MS = 3_000;

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function args() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      'duration-s': { type: 'string' },
      'poll-ms': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log('usage: pnpm bench:origin [--clients 5000] [--duration-s 30] [--poll-ms 100]');
    process.exit(0);
  }
  const clients = Number(values.clients ?? 5000);
  const durationS = Number(values['duration-s'] ?? 30);
  const pollMs = Number(values['poll-ms'] ?? 100);
  if (![clients, durationS, pollMs].every((n) => Number.isInteger(n) && n > 0)) {
    console.error('--clients, --duration-s and --poll-ms must be positive integers');
    process.exit(2);
  }
  return { clients, durationS, pollMs };
}

/** User + system CPU seconds of a process, from /proc (for nginx, which is not ours to ask). */
function procCpuS(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** The median time between parts, seconds. */
function medianPartS(partTimes: Map<number, number>): number {
  const times = [...partTimes.values()].sort((a, b) => a - b);
  return pct(
    times.slice(1).map((t, i) => (t - times[i]!) / 1000),
    0.5,
  );
}

function pin(pid: number, core: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', core, String(pid)], { stdio: 'ignore' });
}

/** The generator as one CommonJS script for `eval` workers (no TypeScript loader in a worker). */
async function clientsScript(): Promise<string> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./bench/clients.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
  });
  return out.outputFiles[0]!.text;
}

async function runClients(job: Omit<ClientsJob, 'clients' | 'localAddresses'>, clients: number) {
  const script = await clientsScript();
  const workers = Array.from({ length: WORKERS }, (_, w) => {
    const data: ClientsJob = {
      ...job,
      clients: Math.floor(clients / WORKERS) + (w < clients % WORKERS ? 1 : 0),
      // Several source addresses keep 5,000 connections clear of one address's port range.
      localAddresses: [`127.0.0.${2 + w * 2}`, `127.0.0.${3 + w * 2}`],
    };
    return new Promise<ClientsResult>((resolve, reject) => {
      const worker = new Worker(script, { eval: true, workerData: data });
      worker.once('message', (r: ClientsResult) => {
        resolve(r);
        void worker.terminate();
      });
      worker.once('error', reject);
    });
  });
  return Promise.all(workers);
}

interface PhaseReport {
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
  errors: string;
}

function report(
  name: string,
  results: ClientsResult[],
  partTimes: Map<number, number>,
  window: [number, number],
  clients: number,
  cpuS: number,
  durationS: number,
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
    errors:
      Object.entries(statuses)
        .map(([k, v]) => `${v}× ${k === '0' ? 'socket' : k}`)
        .join(', ') || '0',
  };
}

async function main(): Promise<void> {
  const { clients, durationS, pollMs } = args();
  if (!ffmpegAvailable() || !nginxAvailable()) {
    console.error('bench:origin needs ffmpeg and nginx (deploy/local/services.sh)');
    process.exit(2);
  }
  const cores = cpus().length;
  const others = cores > 1 ? `1-${cores - 1}` : '0';
  pin(process.pid, others); // the generator (and, by inheritance, ffmpeg) off the origin's core
  const dir = mkdtempSync(join(tmpdir(), 'bench-origin-'));
  const staticDir = join(dir, 'www');
  const partTimes = new Map<number, number>();
  let nginx: ChildProcess | undefined;
  const origin = fork(new URL('./bench/origin-process.ts', import.meta.url), [staticDir], {
    env: {
      ...process.env,
      MEDIA_TOKEN_SECRET: SECRET,
      MEDIA_LADDER: process.env.MEDIA_LADDER ?? '180p:320x180:250k',
    },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stopAll = (): void => {
    origin.kill('SIGTERM');
    nginx?.kill('SIGTERM');
  };
  process.once('exit', stopAll);
  try {
    const cpuAsks: ((u: NodeJS.CpuUsage) => void)[] = [];
    const ready = new Promise<{ port: number; rendition: string }>((resolve) => {
      origin.on('message', (m: OriginMessage) => {
        if (m.kind === 'ready') resolve(m);
        if (m.kind === 'part') partTimes.set(m.seq, m.at);
        if (m.kind === 'cpu') cpuAsks.shift()?.(m.usage);
      });
    });
    const originCpuS = (): Promise<number> =>
      new Promise((resolve) => {
        cpuAsks.push((u) => resolve((u.user + u.system) / 1e6));
        origin.send({ kind: 'cpu' });
      });
    const { port, rendition } = await ready;
    pin(origin.pid!, '0');
    // Wait for a few segments so clients find a full playlist.
    while (partTimes.size < 15) await new Promise((r) => setTimeout(r, 200));
    const token = mintPlaybackToken(Buffer.from(SECRET), {
      eventId: 'bench',
      viewerId: 'bench',
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    const durationMs = durationS * 1000;
    const load0 = loadavg();

    // Phase 1: the origin.
    console.log(`bench:origin: ${clients} blocking clients on the origin for ${durationS} s…`);
    const cpuA = await originCpuS();
    const t0 = Date.now();
    const originResults = await runClients(
      {
        host: '127.0.0.1',
        port,
        base: `/live/bench/${token}/${rendition}/`,
        mode: 'blocking',
        pollMs,
        rampMs: RAMP_MS,
        durationMs,
      },
      clients,
    );
    const cpuB = await originCpuS();
    // CPU over the whole phase (ramp included) per client connected: an upper bound.
    const originPhaseS = durationS + RAMP_MS / 1000;
    const originReport = report(
      'origin (blocking reload)',
      originResults,
      partTimes,
      [t0 + RAMP_MS + SETTLE_MS, t0 + RAMP_MS + durationMs - 1000],
      clients,
      cpuB - cpuA,
      originPhaseS,
    );
    const load1 = loadavg();

    // Phase 2: nginx on the same core, serving the mirrored files (from now on: a few parts
    // before the clients start, so the playlist is there).
    origin.send({ kind: 'mirror' });
    const nginxPort = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn; worker_rlimit_nofile 20000;
events { worker_connections 12000; }
http {
  access_log off; sendfile on; tcp_nopush off; tcp_nodelay on;
  keepalive_requests 10000000; keepalive_timeout 60s;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  types { application/vnd.apple.mpegurl m3u8; video/iso.segment m4s; video/mp4 mp4; }
  server {
    listen 127.0.0.1:${nginxPort} backlog=8192;
    root ${staticDir};
    location ~ \\.m3u8$ { add_header Cache-Control "max-age=0"; }
  }
}
`,
    );
    nginx = spawn(NGINX_PATH, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], {
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 500));
    pin(nginx.pid!, '0');
    console.log(
      `bench:origin: ${clients} clients polling nginx every ${pollMs} ms for ${durationS} s…`,
    );
    const nginxA = procCpuS(nginx.pid!);
    const t1 = Date.now();
    const nginxResults = await runClients(
      {
        host: '127.0.0.1',
        port: nginxPort,
        base: `/${rendition}/`,
        mode: 'polling',
        pollMs,
        rampMs: RAMP_MS,
        durationMs,
      },
      clients,
    );
    const nginxB = procCpuS(nginx.pid!);
    const nginxReport = report(
      `nginx static (polling ${pollMs} ms)`,
      nginxResults,
      partTimes,
      [t1 + RAMP_MS + SETTLE_MS, t1 + RAMP_MS + durationMs - 1000],
      clients,
      nginxB - nginxA,
      durationS + RAMP_MS / 1000,
    );
    const load2 = loadavg();

    console.log(
      `\n| server | parts | part to last client p50 | p99 | part to each client p50 | p99 | clients served per part | CPU (one core) | CPU per client | requests/s | CPU per request | not 200 |`,
    );
    console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
    for (const r of [originReport, nginxReport]) {
      console.log(
        `| ${r.name} | ${r.parts} | ${r.lastP50} ms | ${r.lastP99} ms | ${r.allP50} ms | ${r.allP99} ms | ${(r.coverage * 100).toFixed(1)} % | ${r.cpuCorePct.toFixed(0)} % | ${r.cpuUsPerClientS.toFixed(0)} µs/s | ${r.requestsPerS.toFixed(0)} | ${r.cpuUsPerRequest.toFixed(0)} µs | ${r.errors} |`,
      );
    }
    const fmt = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
    // What one core could serve at the measured cost per request, if the generator kept up: each
    // client makes two requests (a reload and a part) per part duration.
    const perClientPerS = 2 / (partTimes.size > 1 ? medianPartS(partTimes) : 0.2);
    console.log(
      `\norigin at ${originReport.cpuUsPerRequest.toFixed(0)} µs per request: one core serves ~${Math.floor(1e6 / originReport.cpuUsPerRequest / perClientPerS)} such clients ` +
        `(${perClientPerS.toFixed(1)} requests/s each); nginx at ${nginxReport.cpuUsPerRequest.toFixed(0)} µs: ~${Math.floor(1e6 / nginxReport.cpuUsPerRequest / (1000 / pollMs + perClientPerS / 2))} polling clients (an estimate, not a measurement)`,
    );
    console.log(
      `\nmachine: ${cores} cores; load average (1, 5, 15 min) at start ${fmt(load0)}, after the origin phase ${fmt(load1)}, at the end ${fmt(load2)}`,
    );
    const met = originReport.lastP99 <= GOAL_LAST_CLIENT_P99_MS && originReport.coverage > 0.99;
    console.log(
      `${met ? 'met   ' : 'MISSED'} ${clients} clients: part to last client p99 <= ${GOAL_LAST_CLIENT_P99_MS} ms on one core, every client served`,
    );
    process.exitCode = met ? 0 : 1;
  } finally {
    origin.send({ kind: 'stop' });
    await new Promise((r) => setTimeout(r, 1000));
    stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('bench:origin failed', err);
  process.exit(2);
});
