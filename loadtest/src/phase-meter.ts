// Measures a phase while it runs: polls every generator once a second, folds their interval
// deltas into windows (a whole phase, or one step of a ramp), reads the servers' CPU from /proc
// at the same instants, and prints a progress line so a long run shows what it is doing.

import { Histogram } from './histogram.js';
import { readHostBusySeconds } from './proc-stats.js';
import type { IntervalStats } from './worker-messages.js';

/** Everything measured between two cuts. Counts are totals over all generators. */
export interface Window {
  startMs: number;
  endMs: number;
  delivered: number;
  sent: number;
  rejected: number;
  taps: number;
  reactionFrames: number;
  tapsSeen: number;
  disconnects: number;
  /** Text frames the fans received (every type), and chat frames (one or more messages each). */
  frames: number;
  chatFrames: number;
  latency: Histogram;
  /** All generators together, % of one core; its kernel part; and the busiest generator. */
  generatorCpu: number;
  generatorSystemCpu: number;
  maxWorkerCpu: number;
  /** Server processes together, % of one core; undefined when not measured. */
  serverCpu: number | undefined;
  /**
   * CPU time the connection-holding processes (the shards; embedded: the engine; the peers'
   * servers) used over the window, seconds: what per-join and per-delivery costs divide.
   */
  shardCpuSeconds: number | undefined;
  /** Every process on the machine, % of one core; undefined when not readable. */
  hostCpu: number | undefined;
  loopDelayMaxMs: number;
  /** Gauges at the end of the window. */
  connected: number;
  maxSeq: number;
}

/** What the meter needs from the run: the generators' polls and the servers' CPU seconds. */
export interface MeterSource {
  poll(): Promise<IntervalStats[]>;
  serverCpuSeconds(): Promise<number | undefined>;
  shardCpuSeconds(): Promise<number | undefined>;
}

/** How often the meter polls, ms. */
export const POLL_INTERVAL_MS = 1000;

interface Accumulator {
  window: Window;
  cpuMs: number[];
  systemMs: number[];
  wallMs: number[];
  serverCpuStart: number | undefined;
  shardCpuStart: number | undefined;
  hostCpuStart: number | undefined;
}

/** Server, shard and host CPU seconds at one instant. */
interface CpuMark {
  server: number | undefined;
  shard: number | undefined;
  host: number | undefined;
}

async function hostSeconds(): Promise<number | undefined> {
  try {
    return await readHostBusySeconds();
  } catch {
    return undefined; // Not Linux: host CPU is simply not reported.
  }
}

function fresh(startMs: number, mark: CpuMark | undefined): Accumulator {
  return {
    window: {
      startMs,
      endMs: startMs,
      delivered: 0,
      sent: 0,
      rejected: 0,
      taps: 0,
      reactionFrames: 0,
      tapsSeen: 0,
      disconnects: 0,
      frames: 0,
      chatFrames: 0,
      latency: new Histogram(),
      generatorCpu: 0,
      generatorSystemCpu: 0,
      maxWorkerCpu: 0,
      serverCpu: undefined,
      shardCpuSeconds: undefined,
      hostCpu: undefined,
      loopDelayMaxMs: 0,
      connected: 0,
      maxSeq: 0,
    },
    cpuMs: [],
    systemMs: [],
    wallMs: [],
    serverCpuStart: mark?.server,
    shardCpuStart: mark?.shard,
    hostCpuStart: mark?.host,
  };
}

function fold(acc: Accumulator, intervals: IntervalStats[]): void {
  const w = acc.window;
  intervals.forEach((s, i) => {
    w.delivered += s.delivered;
    w.sent += s.sent;
    w.rejected += s.rejected;
    w.taps += s.taps;
    w.reactionFrames += s.reactionFrames;
    w.tapsSeen += s.tapsSeen;
    w.disconnects += s.disconnects;
    w.frames += s.frames ?? 0;
    w.chatFrames += s.chatFrames ?? 0;
    w.latency.merge(s.latency);
    w.loopDelayMaxMs = Math.max(w.loopDelayMaxMs, s.loopDelayMaxMs);
    acc.cpuMs[i] = (acc.cpuMs[i] ?? 0) + s.cpu.userMs + s.cpu.systemMs;
    acc.systemMs[i] = (acc.systemMs[i] ?? 0) + s.cpu.systemMs;
    acc.wallMs[i] = (acc.wallMs[i] ?? 0) + s.cpu.wallMs;
  });
  w.connected = intervals.reduce((sum, s) => sum + s.connected, 0);
  w.maxSeq = Math.max(w.maxSeq, ...intervals.map((s) => s.maxSeq));
  w.endMs = Math.max(w.endMs, ...intervals.map((s) => s.atMs));
}

function close(acc: Accumulator, end: CpuMark | undefined): Window {
  const w = acc.window;
  const percents = acc.cpuMs.map((ms, i) => (ms / Math.max(1, acc.wallMs[i] ?? 0)) * 100);
  w.generatorCpu = percents.reduce((a, b) => a + b, 0);
  w.maxWorkerCpu = Math.max(0, ...percents);
  w.generatorSystemCpu = acc.systemMs.reduce(
    (sum, ms, i) => sum + (ms / Math.max(1, acc.wallMs[i] ?? 0)) * 100,
    0,
  );
  const seconds = (w.endMs - w.startMs) / 1000;
  const percent = (from: number | undefined, to: number | undefined): number | undefined =>
    from === undefined || to === undefined || seconds <= 0
      ? undefined
      : ((to - from) / seconds) * 100;
  w.serverCpu = percent(acc.serverCpuStart, end?.server);
  w.shardCpuSeconds =
    acc.shardCpuStart === undefined || end?.shard === undefined
      ? undefined
      : end.shard - acc.shardCpuStart;
  w.hostCpu = percent(acc.hostCpuStart, end?.host);
  return w;
}

const compact = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);

/** One progress line for the last interval. */
export function progressLine(
  label: string,
  elapsedS: number,
  w: Window,
  intervalS: number,
): string {
  const rate = (n: number): string => compact(n / Math.max(intervalS, 0.001));
  const parts = [
    `${label} ${elapsedS.toFixed(0)}s`,
    `fans ${compact(w.connected)}`,
    `sent ${rate(w.sent + w.taps)}/s`,
    `deliveries ${rate(w.delivered + w.reactionFrames)}/s`,
    `p99 ${w.latency.count > 0 ? w.latency.percentile(99).toFixed(1) : '-'} ms`,
    `gen ${w.generatorCpu.toFixed(0)}% (kernel ${w.generatorSystemCpu.toFixed(0)}%)`,
    `srv ${w.serverCpu === undefined ? '-' : w.serverCpu.toFixed(0)}%`,
  ];
  if (w.disconnects > 0) parts.push(`disconnects ${w.disconnects}`);
  return parts.join('  ');
}

export class PhaseMeter {
  readonly #source: MeterSource;
  readonly #label: string;
  readonly #print: (line: string) => void;
  #total: Accumulator | undefined;
  #current: Accumulator | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<unknown> = Promise.resolve();
  #startedAt = 0;
  #tickCpu: number | undefined;
  #tickAt = 0;

  constructor(source: MeterSource, label: string, print: (line: string) => void) {
    this.#source = source;
    this.#label = label;
    this.#print = print;
  }

  /** Starts the phase: a first poll to zero the counters, then one per POLL_INTERVAL_MS. */
  async start(): Promise<void> {
    await this.#source.poll(); // Whatever came before this phase is not its business.
    const mark = await this.#mark();
    this.#startedAt = performance.now();
    this.#tickCpu = mark.server;
    this.#tickAt = this.#startedAt;
    const now = Date.now();
    this.#total = fresh(now, mark);
    this.#current = fresh(now, mark);
    this.#timer = setInterval(() => {
      // A failed progress poll is shown and skipped; cut() and stop() still report their own.
      this.#polling = this.#polling
        .then(() => this.#tick())
        .catch((error: unknown) => this.#print(`${this.#label}: poll failed: ${String(error)}`));
    }, POLL_INTERVAL_MS);
  }

  /** Closes the current window (a ramp step) and opens the next. */
  async cut(): Promise<Window> {
    await (this.#polling = this.#polling.then(() => this.#pollInto()));
    const mark = await this.#mark();
    const done = close(this.#current!, mark);
    this.#current = fresh(done.endMs, mark);
    return done;
  }

  /** Ends the phase and returns it whole. */
  async stop(): Promise<Window> {
    clearInterval(this.#timer);
    await (this.#polling = this.#polling.then(() => this.#pollInto()));
    return close(this.#total!, await this.#mark());
  }

  async #mark(): Promise<CpuMark> {
    const [server, shard, host] = await Promise.all([
      this.#source.serverCpuSeconds(),
      this.#source.shardCpuSeconds(),
      hostSeconds(),
    ]);
    return { server, shard, host };
  }

  async #pollInto(): Promise<Window> {
    const intervals = await this.#source.poll();
    const step = fresh(Date.now(), undefined);
    fold(step, intervals);
    fold(this.#total!, intervals);
    fold(this.#current!, intervals);
    return close(step, undefined);
  }

  async #tick(): Promise<void> {
    const step = await this.#pollInto();
    const cpu = await this.#source.serverCpuSeconds();
    const now = performance.now();
    if (cpu !== undefined && this.#tickCpu !== undefined) {
      step.serverCpu = ((cpu - this.#tickCpu) / ((now - this.#tickAt) / 1000)) * 100;
    }
    this.#tickCpu = cpu;
    this.#tickAt = now;
    const elapsed = (now - this.#startedAt) / 1000;
    this.#print(progressLine(this.#label, elapsed, step, POLL_INTERVAL_MS / 1000));
  }
}
