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
import { meanPartS, report, type PhaseReport } from './bench/origin-report.js';
import type { OriginMessage } from './bench/origin-process.js';
import type { OriginTransport } from '../src/origin-server.js';
import { NGINX_PATH, nginxAvailable } from './nginx-edge.js';

const GOAL_LAST_CLIENT_P99_MS = 100;
const SECRET = 'bench-origin-secret-0123456789abcdefgh';
const WORKERS = 2;
const RAMP_MS = 10_000;
/** Parts that arrive within this long after the ramp are not measured (clients settle). */
const SETTLE_MS = 3_000;
/** How long the origin's CPU is sampled with no clients (its packaging work alone). */
const IDLE_SAMPLE_MS = 5_000;

function args() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      'duration-s': { type: 'string' },
      'poll-ms': { type: 'string' },
      transports: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'usage: pnpm bench:origin [--clients 5000] [--duration-s 30] [--poll-ms 100] [--transports uws,node]',
    );
    process.exit(0);
  }
  const clients = Number(values.clients ?? 5000);
  const durationS = Number(values['duration-s'] ?? 30);
  const pollMs = Number(values['poll-ms'] ?? 100);
  if (![clients, durationS, pollMs].every((n) => Number.isInteger(n) && n > 0)) {
    console.error('--clients, --duration-s and --poll-ms must be positive integers');
    process.exit(2);
  }
  const transports = (values.transports ?? 'uws,node').split(',') as OriginTransport[];
  if (transports.length === 0 || !transports.every((t) => t === 'uws' || t === 'node')) {
    console.error('--transports is a comma-separated list of uws and node');
    process.exit(2);
  }
  return { clients, durationS, pollMs, transports };
}

/** User + system CPU seconds of a process, from /proc (for nginx, which is not ours to ask). */
function procCpuS(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** System (kernel) CPU seconds of a process, from /proc: the share of its time in syscalls. */
function procSystemS(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[12]) / 100;
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

/** The clients' results, and the generator's own CPU seconds (this process: its workers). */
async function runClients(
  job: Omit<ClientsJob, 'clients' | 'localAddresses'>,
  clients: number,
): Promise<{ results: ClientsResult[]; generatorCpuS: number }> {
  const script = await clientsScript();
  const cpu0 = process.cpuUsage();
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
  const results = await Promise.all(workers);
  const cpu = process.cpuUsage(cpu0);
  return { results, generatorCpuS: (cpu.user + cpu.system) / 1e6 };
}

async function main(): Promise<void> {
  const { clients, durationS, pollMs, transports } = args();
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
    // BENCH_ORIGIN_CPU_PROF=<dir>: a V8 CPU profile of the origin process, written at its exit.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_ORIGIN_CPU_PROF
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_ORIGIN_CPU_PROF]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stopAll = (): void => {
    origin.kill('SIGTERM');
    nginx?.kill('SIGTERM');
  };
  process.once('exit', stopAll);
  try {
    const cpuAsks: ((u: NodeJS.CpuUsage) => void)[] = [];
    const ready = new Promise<{ ports: Record<OriginTransport, number>; rendition: string }>(
      (resolve) => {
        origin.on('message', (m: OriginMessage) => {
          if (m.kind === 'ready') resolve(m);
          if (m.kind === 'part') partTimes.set(m.seq, m.at);
          if (m.kind === 'cpu') cpuAsks.shift()?.(m.usage);
        });
      },
    );
    const originCpuS = (): Promise<number> =>
      new Promise((resolve) => {
        cpuAsks.push((u) => resolve((u.user + u.system) / 1e6));
        origin.send({ kind: 'cpu' });
      });
    const { ports, rendition } = await ready;
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
    // The origin's own work with no clients (reading ffmpeg, cutting parts), per second: taken
    // off each phase's CPU for the marginal cost per request.
    const idleA = await originCpuS();
    await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
    const idleCpuPerS = ((await originCpuS()) - idleA) / (IDLE_SAMPLE_MS / 1000);

    // Phase 1: the origin, once behind each plain-HTTP transport (the same process and streams).
    const originReports: PhaseReport[] = [];
    for (const transport of transports) {
      console.log(
        `bench:origin: ${clients} blocking clients on the origin (${transport}) for ${durationS} s…`,
      );
      const cpuA = await originCpuS();
      const sysA = procSystemS(origin.pid!);
      const t0 = Date.now();
      const run = await runClients(
        {
          host: '127.0.0.1',
          port: ports[transport],
          base: `/live/bench/${token}/${rendition}/`,
          mode: 'blocking',
          pollMs,
          rampMs: RAMP_MS,
          durationMs,
        },
        clients,
      );
      const cpuB = await originCpuS();
      const kernel = (procSystemS(origin.pid!) - sysA) / (cpuB - cpuA);
      // CPU over the whole phase (ramp included) per client connected: an upper bound.
      originReports.push(
        report(
          `origin, ${transport} (blocking reload)`,
          run,
          partTimes,
          [t0 + RAMP_MS + SETTLE_MS, t0 + RAMP_MS + durationMs - 1000],
          clients,
          cpuB - cpuA,
          durationS + RAMP_MS / 1000,
          idleCpuPerS,
          kernel,
        ),
      );
      // Let the last phase's connections go before the next opens as many again.
      await new Promise((r) => setTimeout(r, 2000));
    }
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
    const nginxSysA = procSystemS(nginx.pid!);
    const t1 = Date.now();
    const nginxRun = await runClients(
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
    const nginxKernel = (procSystemS(nginx.pid!) - nginxSysA) / (nginxB - nginxA);
    const nginxReport = report(
      `nginx static (polling ${pollMs} ms)`,
      nginxRun,
      partTimes,
      [t1 + RAMP_MS + SETTLE_MS, t1 + RAMP_MS + durationMs - 1000],
      clients,
      nginxB - nginxA,
      durationS + RAMP_MS / 1000,
      0,
      nginxKernel,
    );
    const load2 = loadavg();

    console.log(
      `\n| server | parts | part to last client p50 | p99 | part to each client p50 | p99 | clients served per part | CPU (one core) | CPU per client | requests/s | CPU per request | above idle | in the kernel | generator CPU | not 200 |`,
    );
    console.log(`|${' --- |'.repeat(15)}`);
    for (const r of [...originReports, nginxReport]) {
      console.log(
        `| ${r.name} | ${r.parts} | ${r.lastP50} ms | ${r.lastP99} ms | ${r.allP50} ms | ${r.allP99} ms | ${(r.coverage * 100).toFixed(1)} % | ${r.cpuCorePct.toFixed(0)} % | ${r.cpuUsPerClientS.toFixed(0)} µs/s | ${r.requestsPerS.toFixed(0)} | ${r.cpuUsPerRequest.toFixed(0)} µs | ${r.marginalUsPerRequest.toFixed(0)} µs | ${(r.kernelShare * 100).toFixed(0)} % | ${r.generatorCorePct.toFixed(0)} % (${r.generatorUsPerRequest.toFixed(0)} µs/request) | ${r.errors} |`,
      );
    }
    const fmt = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
    // What one core could serve at the measured cost per request, if the generator kept up: each
    // client makes two requests (a reload and a part) per part duration.
    const perClientPerS = 2 / (partTimes.size > 1 ? meanPartS(partTimes) : 0.2);
    for (const r of originReports) {
      console.log(
        `\n${r.name} at ${r.marginalUsPerRequest.toFixed(0)} µs per request above idle: one core serves ~${Math.floor((1e6 * (1 - idleCpuPerS)) / r.marginalUsPerRequest / perClientPerS)} such clients (${perClientPerS.toFixed(1)} requests/s each)`,
      );
    }
    console.log(
      `nginx at ${nginxReport.cpuUsPerRequest.toFixed(0)} µs: ~${Math.floor(1e6 / nginxReport.cpuUsPerRequest / (1000 / pollMs + perClientPerS / 2))} polling clients (an estimate, not a measurement)`,
    );
    console.log(
      `\norigin with no clients: ${(idleCpuPerS * 100).toFixed(1)} % of its core (packaging)\nmachine: ${cores} cores; load average (1, 5, 15 min) at start ${fmt(load0)}, after the origin phase ${fmt(load1)}, at the end ${fmt(load2)}`,
    );
    const best = originReports[0]!; // the first transport (uws unless told otherwise)
    const met = best.lastP99 <= GOAL_LAST_CLIENT_P99_MS && best.coverage > 0.99;
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
