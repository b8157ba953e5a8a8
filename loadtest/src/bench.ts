// `pnpm bench`: the first benchmark. One event, N local fans spread over worker processes, a few
// of them chatting at a fixed total rate; prints delivery throughput, publish-to-fan latency and
// the server's memory and CPU per connection. Not a test: it prints figures and writes them to
// loadtest/results/bench-latest.json. Every phase is bounded and the engine and workers are
// stopped on every way out (success, error, SIGINT, the overall time limit).

import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { cpus } from 'node:os';
import { nowMs } from './clock.js';
import {
  EngineProcess,
  ENGINE_READY_TIMEOUT_MS,
  ENGINE_STOP_TIMEOUT_MS,
} from './engine-process.js';
import { FanWorkerHandle, WORKER_READY_TIMEOUT_MS } from './fan-worker-handle.js';
import { freePort } from '@fanfare/testkit';
import { parseBenchOptions, USAGE } from './options.js';
import type { BenchOptions } from './options.js';
import {
  DEFAULT_SETTLE,
  readCpuSeconds,
  readHostBusySeconds,
  settledRssKiB,
} from './proc-stats.js';
import { formatTable, summarize, writeResults } from './report.js';
import type { BenchFigures, DrainResult, ServerMeasurements } from './report.js';
import { splitWork } from './work-split.js';
import type { Progress } from './worker-messages.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('../results/bench-latest.json', import.meta.url));

/** Joins plus upgrades in flight over all workers. */
const CONNECT_CONCURRENCY = 50;
/** One fan's join, upgrade and welcome, ms. */
const FAN_CONNECT_TIMEOUT_MS = 15_000;
/** The whole connect phase: a base plus a share per fan, ms. */
const CONNECT_PHASE_BASE_MS = 30_000;
const CONNECT_PHASE_PER_FAN_MS = 10;
/** Lead time before the common send start, so every worker starts on the same tick, ms. */
const SEND_START_LEAD_MS = 500;
/** Time past the send phase a worker may take to report it, ms. */
const SEND_GRACE_MS = 15_000;
/** Drain: stop when all expected deliveries arrived, nothing arrived for DRAIN_QUIET_MS, or after DRAIN_MAX_MS. */
const DRAIN_MAX_MS = 5000;
const DRAIN_QUIET_MS = 1000;
const DRAIN_POLL_MS = 200;
/** Bound on a progress or finish answer, ms. */
const PROGRESS_TIMEOUT_MS = 5000;
const FINISH_TIMEOUT_MS = 20_000;
/** Headroom of the overall time limit over the sum of the phase bounds, ms. */
const WATCHDOG_SLACK_MS = 30_000;

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/**
 * Engine knobs so that one sender may chat at its share of the rate. The bench measures delivery,
 * not the limits, so they are set well above the share: a generator that stalls catches up with a
 * burst, and the limiter must not turn that into refusals or a 4002 `flood` close.
 */
function engineKnobs(options: BenchOptions): Record<string, string> {
  const rate = String(Math.max(20, Math.ceil((options.ratePerS / options.senders) * 2)));
  const burst = String(Math.max(60, Math.ceil((options.ratePerS / options.senders) * 10)));
  return {
    CHAT_RATE_PER_SECOND: rate,
    CHAT_BURST: burst,
    // Bench texts are unique, so a long window would only hold memory.
    CHAT_DUPLICATE_WINDOW_MS: '1000',
    // Every chat.send is a frame, and the frame limit (default 20/s) closes with 4002 `flood`.
    FRAME_RATE_PER_SECOND: rate,
    FRAME_BURST: burst,
  };
}

function overallBudgetMs(options: BenchOptions): number {
  return (
    ENGINE_READY_TIMEOUT_MS +
    2 * DEFAULT_SETTLE.timeoutMs +
    WORKER_READY_TIMEOUT_MS +
    CONNECT_PHASE_BASE_MS +
    options.fans * CONNECT_PHASE_PER_FAN_MS +
    SEND_START_LEAD_MS +
    options.durationS * 1000 +
    SEND_GRACE_MS +
    DRAIN_MAX_MS +
    FINISH_TIMEOUT_MS +
    2 * ENGINE_STOP_TIMEOUT_MS +
    WATCHDOG_SLACK_MS
  );
}

/** Everything the run started, so every way out can stop it. */
class RunResources {
  engine: EngineProcess | undefined;
  readonly workers: FanWorkerHandle[] = [];
  #closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled(this.workers.map((worker) => worker.close()));
      await this.engine?.close();
    })();
    return this.#closing;
  }
}

export interface WindowCpu {
  /** The engine process, % of one core; undefined when not spawned here or not readable. */
  server: number | undefined;
  /** Every process on the machine, % of one core; undefined when not readable. */
  host: number | undefined;
}

/** CPU use over [startAtMs, startAtMs + durationMs] on the shared clock. */
async function sendWindowCpu(
  pid: number | undefined,
  startAtMs: number,
  durationMs: number,
): Promise<WindowCpu> {
  const read = async (): Promise<[number | undefined, number | undefined]> => {
    const [server, host] = await Promise.allSettled([
      pid === undefined ? Promise.reject(new Error('no engine pid')) : readCpuSeconds(pid),
      readHostBusySeconds(),
    ]);
    return [
      server.status === 'fulfilled' ? server.value : undefined,
      host.status === 'fulfilled' ? host.value : undefined,
    ];
  };
  await delay(Math.max(0, startAtMs - nowMs()));
  const [server0, host0] = await read();
  const wall0 = nowMs();
  await delay(Math.max(0, startAtMs + durationMs - nowMs()));
  const [server1, host1] = await read();
  const seconds = (nowMs() - wall0) / 1000;
  const percent = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined ? undefined : ((b - a) / seconds) * 100;
  return { server: percent(server0, server1), host: percent(host0, host1) };
}

function total(progress: readonly Progress[], pick: (p: Progress) => number): number {
  return progress.reduce((sum, p) => sum + pick(p), 0);
}

/**
 * Polls the workers until every expected delivery arrived, deliveries stop for DRAIN_QUIET_MS, or
 * DRAIN_MAX_MS passed. A worker too busy to answer a poll in time counts as still delivering.
 */
async function drain(workers: readonly FanWorkerHandle[], connected: number): Promise<DrainResult> {
  const started = nowMs();
  let lastDelivered = -1;
  let lastChange = started;
  while (nowMs() - started < DRAIN_MAX_MS) {
    const answers = await Promise.allSettled(
      workers.map((w) => w.request('progress', {}, PROGRESS_TIMEOUT_MS)),
    );
    const progress = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    if (progress.length === workers.length) {
      const delivered = total(progress, (p) => p.delivered);
      const accepted = total(progress, (p) => p.sent) - total(progress, (p) => p.rejected);
      if (delivered >= accepted * connected) return { ms: nowMs() - started, end: 'complete' };
      if (delivered !== lastDelivered) {
        lastDelivered = delivered;
        lastChange = nowMs();
      } else if (nowMs() - lastChange >= DRAIN_QUIET_MS) {
        return { ms: nowMs() - started, end: 'quiet' };
      }
    }
    await delay(DRAIN_POLL_MS);
  }
  return { ms: nowMs() - started, end: 'limit' };
}

async function runBench(options: BenchOptions, resources: RunResources): Promise<BenchFigures> {
  let apiUrl: string;
  let knobs: Record<string, string> = {};
  if (options.targetApi !== undefined) {
    apiUrl = options.targetApi;
    log(
      `using the engine at ${apiUrl}; its CHAT_* and FRAME_* limits must allow ${options.ratePerS / options.senders} msg/s per sender`,
    );
  } else {
    knobs = engineKnobs(options);
    const [apiPort, gatewayPort] = [await freePort(), await freePort()];
    log(`starting the engine (API :${apiPort}, gateway :${gatewayPort})`);
    resources.engine = await EngineProcess.start({
      cwd: REPO_ROOT,
      apiPort,
      gatewayPort,
      env: knobs,
    });
    apiUrl = resources.engine.apiUrl;
  }
  const pid = resources.engine?.pid;
  const rssBefore = pid === undefined ? undefined : await settledRssKiB(pid);

  log(`starting ${options.workers} generator processes`);
  const started = await Promise.allSettled(
    Array.from({ length: options.workers }, async (_, i) => {
      const worker = await FanWorkerHandle.start(i, REPO_ROOT);
      resources.workers.push(worker);
      return worker;
    }),
  );
  const failedStart = started.find((s) => s.status === 'rejected');
  if (failedStart !== undefined) throw failedStart.reason;
  const workers = [...resources.workers].sort((a, b) => a.index - b.index);

  const plans = splitWork(options, {
    apiUrl,
    totalConnectConcurrency: CONNECT_CONCURRENCY,
    fanConnectTimeoutMs: FAN_CONNECT_TIMEOUT_MS,
  });
  log(`connecting ${options.fans} fans`);
  const connectTimeoutMs = CONNECT_PHASE_BASE_MS + options.fans * CONNECT_PHASE_PER_FAN_MS;
  const connects = await Promise.all(
    workers.map((w, i) => w.request('connect', { plan: plans[i]! }, connectTimeoutMs)),
  );
  const connected = connects.reduce((sum, c) => sum + c.connected, 0);
  const failed = connects.reduce((sum, c) => sum + c.failed, 0);
  const firstFailure = connects.find((c) => c.firstFailure !== undefined)?.firstFailure;
  log(
    `connected ${connected} of ${options.fans} fans${failed > 0 ? `; first failure: ${firstFailure}` : ''}`,
  );
  if (connected === 0) throw new Error(`no fan could connect: ${firstFailure}`);
  const rssAfter = pid === undefined ? undefined : await settledRssKiB(pid);

  const durationMs = options.durationS * 1000;
  const sendStartMs = nowMs() + SEND_START_LEAD_MS;
  log(
    `sending ${options.ratePerS} msg/s from ${options.senders} senders for ${options.durationS} s`,
  );
  const [sends, windowCpu] = await Promise.all([
    Promise.all(
      workers.map((w) =>
        w.request(
          'send',
          { startAtMs: sendStartMs, durationMs },
          SEND_START_LEAD_MS + durationMs + SEND_GRACE_MS,
        ),
      ),
    ),
    sendWindowCpu(pid, sendStartMs, durationMs),
  ]);

  log('draining');
  const drained = await drain(workers, connected);
  if (resources.engine !== undefined && !resources.engine.running) {
    log(
      `the engine exited during the run (${resources.engine.exitDescription}); its last output:\n${resources.engine.output()}`,
    );
  }
  const reports = await Promise.all(workers.map((w) => w.request('finish', {}, FINISH_TIMEOUT_MS)));
  log('stopping');
  await resources.close();

  let server: ServerMeasurements | undefined;
  if (pid !== undefined && rssBefore !== undefined && rssAfter !== undefined) {
    server = {
      pid,
      rssBeforeKiB: rssBefore.rssKiB,
      rssAfterKiB: rssAfter.rssKiB,
      rssSettled: rssBefore.settled && rssAfter.settled,
      cpuPercent: windowCpu.server,
      exit: resources.engine?.exitDescription,
      env: knobs,
    };
  }
  return summarize({
    options,
    connects,
    sends,
    reports,
    sendStartMs,
    drain: drained,
    server,
    hostCpuPercent: windowCpu.host,
  });
}

/** The bench's own failures are plain Errors that explain themselves; anything else is a bug. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.constructor === Error ? error.message : (error.stack ?? error.message);
}

async function main(): Promise<number> {
  const parsed = parseBenchOptions(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.text}\n`);
    return 0;
  }
  if (parsed.kind === 'invalid') {
    process.stderr.write(`${parsed.problems.map((p) => `bench: ${p}`).join('\n')}\n\n${USAGE}\n`);
    return 2;
  }
  const options = parsed.options;
  const resources = new RunResources();
  const stopAndExit = (code: number): void => {
    void resources.close().finally(() => process.exit(code));
  };
  const budgetMs = overallBudgetMs(options);
  const watchdog = setTimeout(() => {
    log(`overall time limit (${Math.round(budgetMs / 1000)} s) reached; stopping`);
    stopAndExit(1);
  }, budgetMs);
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted; stopping');
    stopAndExit(130);
  });

  const startedAt = new Date().toISOString();
  try {
    const figures = await runBench(options, resources);
    process.stdout.write(`\nFanfare bench: one event, chat broadcast\n${formatTable(figures)}\n`);
    await writeResults(RESULTS_FILE, {
      startedAt,
      options,
      environment: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
      },
      figures,
    });
    process.stdout.write(`\n  written to ${RESULTS_FILE}\n`);
    return 0;
  } catch (error) {
    // After Ctrl-C the workers die with the terminal's SIGINT; that failure is expected noise.
    if (!interrupted) log(`failed: ${describeFailure(error)}`);
    return 1;
  } finally {
    await resources.close();
    clearTimeout(watchdog);
  }
}

// Exit explicitly: idle keep-alive sockets of fetch must not hold a finished bench open.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${String(error)}`);
    process.exit(1);
  },
);
