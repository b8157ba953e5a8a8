// One shard, several cores (issue 17 point 8): bare uWS event loops on one port as worker
// threads of one process against the same number of processes, measured from here. The uWS.js
// build the shards use (@trufflesuite/uws-js-unofficial 20.30.0) has no
// `addChildAppDescriptor`/`getDescriptor` (one listener handing sockets to child loops); every
// loop listens on the port itself and the kernel spreads connections (SO_REUSEPORT, uSockets'
// default). A bounded experiment, not part of `pnpm bench`:
//
//   pnpm exec tsx loadtest/src/loops-experiment.ts [--fans 4000] [--rate 20] [--seconds 5]
//
// For each layout (1 loop; 2 threads in one process; 2 processes): connects every fan (join rate,
// server CPU per join), then every loop publishes `rate` ~200-byte frames a second to its fans
// (server CPU per delivery, deliveries/s counted by the clients), and the servers' RSS. Server
// CPU is utime + stime of the server processes from /proc; the generator is this process.

import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { LoopCommand, LoopReport } from './loops-server.js';
import { readCpuSeconds, readRssKiB } from './proc-stats.js';
import { RawWebSocket, type RawWsHandler } from './raw-ws.js';

interface Layout {
  name: string;
  processes: number;
  threadsEach: number;
}

const LAYOUTS: readonly Layout[] = [
  { name: '1 loop', processes: 1, threadsEach: 1 },
  { name: '2 threads, 1 process', processes: 1, threadsEach: 2 },
  { name: '2 processes', processes: 2, threadsEach: 1 },
];
const SERVER = fileURLToPath(new URL('./loops-server.ts', import.meta.url));
/** Upgrades in flight at once from the generator. */
const IN_FLIGHT = 256;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

class Servers {
  readonly children: ChildProcess[];
  constructor(layout: Layout, port: number) {
    this.children = Array.from({ length: layout.processes }, () =>
      fork(SERVER, [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, PORT: String(port), LOOPS_THREADS: String(layout.threadsEach) },
      }),
    );
  }
  private next(child: ChildProcess, kind: LoopReport['kind']): Promise<LoopReport> {
    return new Promise((resolve) => {
      const on = (r: LoopReport) => {
        if (r.kind !== kind) return;
        child.off('message', on);
        resolve(r);
      };
      child.on('message', on);
    });
  }
  async listening(): Promise<void> {
    await Promise.all(this.children.map((c) => this.next(c, 'listening')));
  }
  send(command: LoopCommand): void {
    for (const c of this.children) c.send(command);
  }
  /** Subscribers per loop, every process's loops in turn. */
  async subscribers(): Promise<number[]> {
    const waits = this.children.map((c) => this.next(c, 'count'));
    this.send({ kind: 'count' });
    const reports = await Promise.all(waits);
    return reports.flatMap((r) => (r.kind === 'count' ? (r.perLoop ?? [r.subscribers]) : []));
  }
  async cpuSeconds(): Promise<number> {
    const each = await Promise.all(this.children.map((c) => readCpuSeconds(c.pid!)));
    return each.reduce((a, b) => a + b, 0);
  }
  async rssKiB(): Promise<number> {
    const each = await Promise.all(this.children.map((c) => readRssKiB(c.pid!)));
    return each.reduce((a, b) => a + b, 0);
  }
  stop(): void {
    for (const c of this.children) c.kill('SIGTERM');
  }
}

interface Row {
  layout: string;
  fans: number;
  /** Fans per loop: how the kernel spread the connections. */
  split: string;
  joinsPerSec: number;
  cpuUsPerJoin: number;
  deliveriesPerSec: number;
  expectedPerSec: number;
  cpuUsPerDelivery: number;
  serverCpuPct: number;
  generatorCpuPct: number;
  rssMiB: number;
}

async function measure(layout: Layout, fans: number, rate: number, seconds: number): Promise<Row> {
  const port = await freePort();
  const servers = new Servers(layout, port);
  const sockets: RawWebSocket<null>[] = [];
  try {
    await servers.listening();
    let welcomed = 0;
    let frames = 0;
    let failed = 0;
    let wake: () => void = () => undefined;
    // The first text a socket gets is its hello: counted as the join, everything after as frames.
    const joined = new WeakSet<RawWebSocket<null>>();
    const handler: RawWsHandler<null> = {
      open: () => undefined,
      text: (ws) => {
        if (joined.has(ws)) frames++;
        else {
          joined.add(ws);
          welcomed++;
          wake();
        }
      },
      closed: (_ws, info) => {
        if (!info.opened) failed++;
        wake();
      },
    };
    const cpu0 = await servers.cpuSeconds();
    const t0 = performance.now();
    for (let i = 0; i < fans; i++) {
      while (i - welcomed - failed >= IN_FLIGHT) await new Promise<void>((r) => (wake = r));
      sockets.push(
        new RawWebSocket(
          {
            host: '127.0.0.1',
            port,
            path: '/ws',
            protocols: [],
            localAddress: undefined,
            timeoutMs: 30_000,
          },
          handler,
          null,
        ),
      );
    }
    while (welcomed + failed < fans) await new Promise<void>((r) => (wake = r));
    const joinS = (performance.now() - t0) / 1000;
    const joinCpu = (await servers.cpuSeconds()) - cpu0;
    const perLoop = await servers.subscribers();
    const subscribed = perLoop.reduce((a, b) => a + b, 0);
    const rss = await servers.rssKiB();
    servers.send({ kind: 'rate', perSec: rate });
    await delay(1000); // every loop publishing before the window opens
    const f0 = frames;
    const c0 = await servers.cpuSeconds();
    const g0 = process.cpuUsage();
    const w0 = performance.now();
    await delay(seconds * 1000);
    const windowS = (performance.now() - w0) / 1000;
    const delivered = frames - f0;
    const serverCpu = (await servers.cpuSeconds()) - c0;
    const gen = process.cpuUsage(g0);
    servers.send({ kind: 'rate', perSec: 0 });
    return {
      layout: `${layout.name}${failed > 0 ? ` (${failed} failed)` : ''}`,
      fans: subscribed,
      split: perLoop.join('/'),
      joinsPerSec: Math.round(welcomed / joinS),
      cpuUsPerJoin: Math.round((joinCpu * 1e6) / welcomed),
      deliveriesPerSec: Math.round(delivered / windowS),
      expectedPerSec: rate * subscribed,
      cpuUsPerDelivery: Number(((serverCpu * 1e6) / Math.max(1, delivered)).toFixed(2)),
      serverCpuPct: Math.round((serverCpu / windowS) * 100),
      generatorCpuPct: Math.round(((gen.user + gen.system) / 1e6 / windowS) * 100),
      rssMiB: Math.round(rss / 1024),
    };
  } finally {
    for (const s of sockets) s.destroy();
    servers.stop();
    await delay(500);
  }
}

async function main(): Promise<void> {
  const fans = arg('fans', 4000);
  const rate = arg('rate', 20);
  const seconds = arg('seconds', 5);
  const rows: Row[] = [];
  for (const layout of LAYOUTS) {
    const before = loadavg()[0]!.toFixed(1);
    const row = await measure(layout, fans, rate, seconds);
    rows.push(row);
    console.log(JSON.stringify({ ...row, loadAverage1m: before }));
  }
  console.table(rows);
}

await main();
