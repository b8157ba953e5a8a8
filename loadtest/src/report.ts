// Turns what the workers and /proc reported into the run's figures, prints them as a table and
// writes them as JSON. All arithmetic on the raw counts lives here, so the table and the JSON
// cannot disagree.

import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { Histogram } from './histogram.js';
import type { HistogramSnapshot } from './histogram.js';
import type { BenchOptions } from './options.js';
import type { ConnectResult, SendResult, WorkerReport } from './worker-messages.js';

/** What the bench measured on the server process itself; absent with --target-api. */
export interface ServerMeasurements {
  pid: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  /** False when RSS was still moving after the settle timeout. */
  rssSettled: boolean;
  /** Server CPU over the send phase, % of one core; undefined when it could not be read. */
  cpuPercent: number | undefined;
  /** How the engine ended after SIGTERM (`exit code 0`, ...). */
  exit: string | undefined;
  /** The engine knobs the bench set. */
  env: Record<string, string>;
}

/** How the drain after the send phase ended: every expected delivery in, no more coming, or the time limit with deliveries still arriving. */
export interface DrainResult {
  ms: number;
  end: 'complete' | 'quiet' | 'limit';
}

export interface RunInputs {
  options: BenchOptions;
  connects: ConnectResult[];
  sends: SendResult[];
  reports: WorkerReport[];
  /** Shared-clock start of the send phase, ms. */
  sendStartMs: number;
  drain: DrainResult;
  server: ServerMeasurements | undefined;
  /** Every process on the machine over the send phase, % of one core. */
  hostCpuPercent: number | undefined;
}

export interface LatencyFigures {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface BenchFigures {
  fans: number;
  connected: number;
  connectFailed: number;
  firstConnectFailure: string | undefined;
  connectSeconds: number;
  senders: number;
  targetRatePerS: number;
  durationS: number;
  sent: number;
  acked: number;
  rejected: number;
  sendRatePerS: number;
  /** (sent - rejected) x connected fans. */
  expectedDeliveries: number;
  deliveries: number;
  /** Deliveries over the time from the first send to the last delivery. */
  deliveriesPerS: number;
  lost: number;
  duplicated: number;
  reordered: number;
  foreign: number;
  latencyMs: LatencyFigures;
  /** The merged latency histogram, for comparing runs beyond the percentiles above. */
  latencyHistogram: HistogramSnapshot;
  drain: DrainResult;
  server: {
    rssBeforeMiB: number;
    rssAfterMiB: number;
    rssSettled: boolean;
    rssPerConnKiB: number;
    cpuPercent: number | undefined;
    exit: string | undefined;
    env: Record<string, string>;
  } | null;
  generator: {
    /** All workers together over the send phase, % of one core. */
    cpuPercent: number;
    /** The kernel's part of cpuPercent (socket reads and writes). */
    systemCpuPercent: number;
    /** The busiest worker, % of one core; near 100 means that worker was saturated. */
    maxWorkerCpuPercent: number;
    loopDelayP99Ms: number;
    loopDelayMaxMs: number;
    maxSendLagMs: number;
    slowFrames: number;
    fastPathOff: string[];
  };
  host: {
    cores: number;
    /** Every process on the machine over the send phase, % of one core. */
    cpuPercent: number | undefined;
    /** What neither the engine nor the generators used: other work sharing the machine. */
    otherCpuPercent: number | undefined;
  };
  frames: Record<string, number>;
  errors: Record<string, number>;
  /** The first message seen per error code. */
  errorMessages: Record<string, string>;
  disconnects: Record<string, number>;
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}

function mergeCounts(records: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of records) {
    for (const [key, n] of Object.entries(record)) out[key] = (out[key] ?? 0) + n;
  }
  return out;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export function summarize(run: RunInputs): BenchFigures {
  const { options, connects, sends, reports, server } = run;
  const connected = sum(connects, (c) => c.connected);
  const sent = sum(reports, (r) => r.sent);
  const rejected = sum(reports, (r) => r.rejected);
  const deliveries = sum(reports, (r) => r.delivered);
  const expectedDeliveries = (sent - rejected) * connected;
  const lastDelivery = Math.max(0, ...reports.map((r) => r.lastDeliveryAtMs));
  const deliverySeconds = (lastDelivery - run.sendStartMs) / 1000;

  const latency = new Histogram();
  for (const report of reports) latency.merge(report.latency);

  const workerCpu = sends.map((s) => ((s.cpu.userMs + s.cpu.systemMs) / s.cpu.wallMs) * 100);
  const generatorCpu = sum(workerCpu, (c) => c);
  const host = run.hostCpuPercent;
  // Without a spawned engine the server is part of "other".
  const other = host === undefined ? undefined : host - generatorCpu - (server?.cpuPercent ?? 0);
  return {
    fans: options.fans,
    connected,
    connectFailed: sum(connects, (c) => c.failed),
    firstConnectFailure: connects.find((c) => c.firstFailure !== undefined)?.firstFailure,
    connectSeconds: round(Math.max(0, ...connects.map((c) => c.elapsedMs)) / 1000),
    senders: options.senders,
    targetRatePerS: options.ratePerS,
    durationS: options.durationS,
    sent,
    acked: sum(reports, (r) => r.acks),
    rejected,
    sendRatePerS: round(sent / options.durationS, 1),
    expectedDeliveries,
    deliveries,
    deliveriesPerS: deliverySeconds > 0 ? Math.round(deliveries / deliverySeconds) : 0,
    // Messages a resumed fan got in its welcome's snapshot count as delivered too.
    lost: Math.max(0, expectedDeliveries - deliveries - sum(reports, (r) => r.recovered ?? 0)),
    duplicated: sum(reports, (r) => r.duplicates),
    reordered: sum(reports, (r) => r.reordered),
    foreign: sum(reports, (r) => r.foreign),
    latencyMs: {
      count: latency.count,
      p50: round(latency.percentile(50)),
      p90: round(latency.percentile(90)),
      p99: round(latency.percentile(99)),
      p999: round(latency.percentile(99.9)),
      max: round(latency.max),
      mean: round(latency.mean),
    },
    latencyHistogram: latency.snapshot(),
    drain: { ms: Math.round(run.drain.ms), end: run.drain.end },
    server:
      server === undefined
        ? null
        : {
            rssBeforeMiB: round(server.rssBeforeKiB / 1024, 1),
            rssAfterMiB: round(server.rssAfterKiB / 1024, 1),
            rssSettled: server.rssSettled,
            rssPerConnKiB: round(
              connected > 0 ? (server.rssAfterKiB - server.rssBeforeKiB) / connected : 0,
            ),
            cpuPercent: server.cpuPercent === undefined ? undefined : round(server.cpuPercent, 1),
            exit: server.exit,
            env: server.env,
          },
    generator: {
      systemCpuPercent: round(
        sum(sends, (s) => (s.cpu.systemMs / s.cpu.wallMs) * 100),
        1,
      ),
      cpuPercent: round(generatorCpu, 1),
      maxWorkerCpuPercent: round(Math.max(0, ...workerCpu), 1),
      loopDelayP99Ms: round(Math.max(0, ...sends.map((s) => s.loopDelayP99Ms))),
      loopDelayMaxMs: round(Math.max(0, ...sends.map((s) => s.loopDelayMaxMs))),
      maxSendLagMs: round(Math.max(0, ...sends.map((s) => s.maxSendLagMs))),
      slowFrames: sum(reports, (r) => r.slowFrames),
      fastPathOff: reports.flatMap((r) => (r.fastPathOff === undefined ? [] : [r.fastPathOff])),
    },
    host: {
      cores: cpus().length,
      cpuPercent: host === undefined ? undefined : round(host, 1),
      otherCpuPercent: other === undefined ? undefined : round(Math.max(0, other), 1),
    },
    frames: mergeCounts(reports.map((r) => r.frames)),
    errors: mergeCounts(reports.map((r) => r.errors)),
    errorMessages: Object.assign({}, ...reports.map((r) => r.errorMessages)) as Record<
      string,
      string
    >,
    disconnects: mergeCounts(reports.map((r) => r.disconnects)),
  };
}

const DRAIN_ENDS: Record<DrainResult['end'], string> = {
  complete: 'every expected delivery arrived',
  quiet: 'deliveries stopped (the rest are lost)',
  limit: 'time limit; deliveries were still arriving, so "lost" includes late ones',
};

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');
const counts = (record: Record<string, number>): string =>
  Object.keys(record).length === 0
    ? 'none'
    : Object.entries(record)
        .map(([key, n]) => `${key} ${integer(n)}`)
        .join(', ');

/** The figures as an aligned two-column table for the terminal. */
export function formatTable(f: BenchFigures): string {
  const l = f.latencyMs;
  const g = f.generator;
  const rows: [string, string][] = [
    ['fans connected', `${integer(f.connected)} of ${integer(f.fans)} in ${f.connectSeconds} s`],
    ['senders', `${f.senders} at ${integer(f.targetRatePerS)} msg/s for ${f.durationS} s`],
    [
      'messages sent',
      `${integer(f.sent)} (${f.sendRatePerS} msg/s; acked ${integer(f.acked)}, rejected ${integer(f.rejected)})`,
    ],
    ['deliveries', `${integer(f.deliveries)} of ${integer(f.expectedDeliveries)} expected`],
    ['deliveries/s', integer(f.deliveriesPerS)],
    ['latency p50 / p99 ms', `${l.p50} / ${l.p99}`],
    ['latency p99.9 / max ms', `${l.p999} / ${l.max}`],
    [
      'lost / dup / reordered',
      `${integer(f.lost)} / ${integer(f.duplicated)} / ${integer(f.reordered)}`,
    ],
  ];
  if (f.server === null) {
    rows.push(['server', 'not measured (--target-api)']);
  } else {
    const s = f.server;
    const settled = s.rssSettled ? '' : ', not settled';
    rows.push(
      [
        'server RSS/conn KiB',
        `${s.rssPerConnKiB} (${s.rssBeforeMiB} -> ${s.rssAfterMiB} MiB${settled})`,
      ],
      ['server CPU %', s.cpuPercent === undefined ? 'n/a' : String(s.cpuPercent)],
    );
  }
  rows.push(
    [
      'generator CPU %',
      `${g.cpuPercent} (kernel ${g.systemCpuPercent}; busiest worker ${g.maxWorkerCpuPercent})`,
    ],
    [
      'host CPU %',
      f.host.cpuPercent === undefined
        ? 'n/a'
        : `${f.host.cpuPercent} of ${f.host.cores * 100} (other processes${f.server === null ? ', engine included,' : ''} ${f.host.otherCpuPercent})`,
    ],
    [
      'generator loop delay ms',
      `p99 ${g.loopDelayP99Ms}, max ${g.loopDelayMaxMs}; send lag max ${g.maxSendLagMs}`,
    ],
    ['frames', counts(f.frames)],
    ['errors', counts(f.errors)],
    ...Object.entries(f.errorMessages).map(([code, message]): [string, string] => [
      `  first ${code}`,
      message,
    ]),
    ['disconnects', counts(f.disconnects)],
    ['drain', `${f.drain.ms} ms, ${DRAIN_ENDS[f.drain.end]}`],
  );
  if (f.connectFailed > 0)
    rows.push(['connect failures', `${f.connectFailed}: ${f.firstConnectFailure}`]);
  if (g.fastPathOff.length > 0) rows.push(['frame scan off', g.fastPathOff[0]!]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

/** Writes the run as JSON, creating the directory. */
export async function writeResults(path: string, document: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
}
