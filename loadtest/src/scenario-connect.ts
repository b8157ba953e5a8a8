// join-storm, and the connect every scenario starts with: N fans connect as fast as they are
// admitted (Fanfare: token from the API join, upgrade with the token, welcome snapshot; the
// peers: upgrade and welcome). Reports the admission rate, per-fan connect time, and the
// server's RSS per connection once it has settled. Also reactions, the other fan-driven phase.

import { setTimeout as delay } from 'node:timers/promises';
import { nowMs } from './clock.js';
import { Histogram } from './histogram.js';
import { JoinClient } from './join-client.js';
import { metricsUrlOf, scrapeConnections, watchLoopLag } from './shard-loop-lag.js';
import type { Arrival } from './admission-retry.js';
import { PhaseMeter } from './phase-meter.js';
import { sumRecoveries } from './resume-tally.js';
import { memoryProgress, rssSpan, stormMemory, tryCollectedMemory } from './storm-memory.js';
import type { DrainResult } from './report.js';
import type { RunSession } from './run-session.js';
import type { ConnectResult, SendResult } from './worker-messages.js';
import {
  cpuUsPer,
  emptyRow,
  latencyColumns,
  noteOtherCpu,
  round,
  saturationNote,
  serverClosesNote,
} from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';

/** What a chat phase leaves for the detailed summary (report.ts) printed after the session. */
export interface ChatPhaseDetail {
  sends: SendResult[];
  startAtMs: number;
  drain: DrainResult;
  /** Server CPU over the send phase, % of one core. */
  serverCpu: number | undefined;
  hostCpu: number | undefined;
}

export interface PhaseContext {
  session: RunSession;
  /** Progress lines (stderr). */
  print: (line: string) => void;
  /** Whether the join storm reads its memory with collections (its row is reported). */
  measureMemory?: boolean;
  /** The connect's results and the server's RSS around it, set by joinStorm. */
  connects?: ConnectResult[];
  rss?: { beforeKiB: number; afterKiB: number; settled: boolean };
  /** Set by the last chat phase that ran. */
  chat?: ChatPhaseDetail;
  /** Detailed summaries a phase prints after the session's table (stdout), when given. */
  details?: string[];
}

/** Lead time before a common start, so every generator starts on the same tick, ms. */
export const START_LEAD_MS = 500;
/** join-storm --within: refused fans retry until this long after the window closes, ms. */
export const STORM_RETRY_MS = 120_000;

/** The open-loop arrival schedule of `--within`, or undefined for the closed loop. */
function arrivalOf(ctx: PhaseContext): Arrival | undefined {
  const withinS = ctx.session.options.withinS;
  if (withinS === undefined) return undefined;
  const startAtMs = nowMs() + START_LEAD_MS;
  const windowMs = withinS * 1000;
  return {
    startAtMs,
    windowMs,
    totalFans: ctx.session.options.fans,
    deadlineMs: startAtMs + windowMs + STORM_RETRY_MS,
  };
}

/** The /metrics URL of the shard the event's fans are sent to (one probe join), Fanfare only. */
async function shardMetricsUrl(ctx: PhaseContext): Promise<string | undefined> {
  const { session } = ctx;
  if (session.options.target !== 'fanfare' || session.target.shards !== 1) return undefined;
  const probe = new JoinClient(session.target.apiUrl || (session.options.targetApi ?? ''), 1);
  try {
    return metricsUrlOf((await probe.join(session.options.eventId, 10_000)).gatewayUrl);
  } catch {
    // No lag figure rather than no storm.
    return undefined;
  } finally {
    probe.close();
  }
}

/** A row for this session's target. */
export function baseRow(ctx: PhaseContext, name: string, fans: number): ScenarioRow {
  return emptyRow(name, ctx.session.options.target, ctx.session.target.shards, fans);
}

/** How long the shard's idle CPU is sampled before a join or resume storm, ms. */
export const IDLE_SAMPLE_MS = 2000;
/** The idle sample is read in this many slices; their median rate is the idle rate. */
const IDLE_SLICES = 4;

/**
 * The shard's CPU while nothing is asked of it (timers, sweeps, heartbeats), seconds per
 * second; undefined when not readable. A storm's CPU per fan subtracts this over its window:
 * on a loaded machine a storm can last ten times longer, and its idle CPU with it. The median
 * of a few slices, not their mean: a presence broadcast to the room's fans that lands in the
 * sample (a viewer count settling after the storm before) is not idle work, and one such slice
 * had made the idle rate 5 % of a core, more than a 500 ms window's 1,198 closes cost.
 */
async function idleCpuRate(session: RunSession): Promise<number | undefined> {
  const rates: number[] = [];
  let before = await session.shardCpuSeconds();
  let t0 = performance.now();
  for (let i = 0; i < IDLE_SLICES; i++) {
    await delay(IDLE_SAMPLE_MS / IDLE_SLICES);
    const after = await session.shardCpuSeconds();
    const t1 = performance.now();
    if (before === undefined || after === undefined) return undefined;
    rates.push(Math.max(0, (after - before) / ((t1 - t0) / 1000)));
    [before, t0] = [after, t1];
  }
  rates.sort((a, b) => a - b);
  const mid = rates.length / 2;
  return (rates[Math.floor(mid - 0.5)]! + rates[Math.ceil(mid - 0.5)]!) / 2;
}

/**
 * CPU per unit of a storm: the window's shard CPU less the idle rate over the window, with a
 * note saying what was subtracted.
 */
function stormCpuUs(
  row: ScenarioRow,
  window: { shardCpuSeconds: number | undefined; startMs: number; endMs: number },
  idle: number | undefined,
  count: number,
  what = 'CPU per fan',
): number | null {
  if (window.shardCpuSeconds === undefined) return null;
  const seconds = (window.endMs - window.startMs) / 1000;
  const baseline = idle === undefined ? 0 : idle * seconds;
  if (idle !== undefined) {
    row.notes.push(
      `${what}: the shard's idle ${round(idle * 100, 1)}% of a core over the ${round(seconds, 1)} s window subtracted`,
    );
  }
  return cpuUsPer(Math.max(0, window.shardCpuSeconds - baseline), count);
}

/** Whether the target is Fanfare's embedded engine: the API and the shard in one process. */
function embeddedEngine(session: RunSession): boolean {
  return (
    session.options.target === 'fanfare' &&
    session.target.shards === 1 &&
    session.options.cluster !== true
  );
}

/** Connects every fan and measures it as the join storm; fails when no fan got in. */
export async function joinStorm(ctx: PhaseContext): Promise<ScenarioRow> {
  const { session } = ctx;
  const meter = new PhaseMeter(session, `join-storm ${session.options.target}`, ctx.print);
  const prefetch = session.options.prefetchTokens && session.options.target === 'fanfare';
  const apiCpuBefore = prefetch ? await session.apiCpuSeconds() : undefined;
  // The first command creates each generator's fleet, which the meter's polls read.
  const tokens = prefetch ? session.tokens() : undefined;
  if (tokens !== undefined) await meter.start();
  const fetched = await tokens;
  const apiCpuAfter = prefetch ? await session.apiCpuSeconds() : undefined;
  // Memory (storm-memory.ts): a full collection, then settled RSS, before the first upgrade. The
  // old reading instead counts from the session's start: after the tokens, without collection,
  // the embedded process's API-join garbage was collected during the upgrades and read negative.
  const collecting = ctx.measureMemory === true && session.options.targetApi === undefined;
  const memBefore = collecting
    ? await tryCollectedMemory(await session.target.connectionPids())
    : { failure: ctx.measureMemory === true ? 'an attached server is not signalled' : 'not asked' };
  const idle = fetched !== undefined ? await idleCpuRate(session) : undefined;
  if (fetched !== undefined) await meter.cut();
  const metricsUrl = session.options.withinS === undefined ? undefined : await shardMetricsUrl(ctx);
  const lagSince = metricsUrl === undefined ? undefined : await watchLoopLag(metricsUrl);
  const connecting = session.connect(arrivalOf(ctx));
  if (tokens === undefined) await meter.start();
  const connects = await connecting;
  const window = await meter.cut();
  const lag = await lagSince?.();
  await meter.stop();
  const connected = connects.reduce((s, c) => s + c.connected, 0);
  const failed = connects.reduce((s, c) => s + c.failed, 0);
  const firstFailure = connects.find((c) => c.firstFailure !== undefined)?.firstFailure;
  if (connected === 0) throw new Error(`no fan could connect: ${firstFailure}`);
  const seconds = Math.max(...connects.map((c) => c.elapsedMs)) / 1000;
  const latency = new Histogram();
  for (const c of connects) if (c.latency) latency.merge(c.latency);
  const rssAfter = await session.serverRss();
  const memAfter =
    'reading' in memBefore
      ? await tryCollectedMemory(await session.target.connectionPids())
      : memBefore;
  const row = baseRow(ctx, 'join-storm', connected);
  row.deliveriesPerSec = 0;
  Object.assign(row, latencyColumns(latency));
  row.connectPerSec = Math.round(connected / seconds);
  if (fetched !== undefined) {
    const got = fetched.reduce((s, t) => s + t.fetched, 0);
    row.joinsPerSec = Math.round(got / (Math.max(...fetched.map((t) => t.elapsedMs)) / 1000));
    if (apiCpuBefore !== undefined && apiCpuAfter !== undefined) {
      row.apiCpuUsPerJoin = cpuUsPer(apiCpuAfter - apiCpuBefore, got);
    }
    row.notes.push(
      'tokens fetched first: connects/s is the shard (verify, upgrade, welcome) alone',
    );
    row.notes.push(
      session.options.joinToken === true
        ? "first connections with the join's token (ES256 on the shard)"
        : "first connections with the join's resume ticket when it hands one out (HMAC on the shard)",
    );
  }
  row.connectFailed = failed;
  const stale = connects.reduce((s, c) => s + (c.staleRetries ?? 0), 0);
  if (stale > 0) row.staleSocketRetries = stale;
  const unanswered = connects.reduce((s, c) => s + (c.failedAttempts ?? 0), 0);
  if (unanswered > 0) row.failedAttempts = unanswered;
  if (session.options.withinS !== undefined) {
    row.withinS = session.options.withinS;
    row.admission = session.options.admission ?? 'on';
    row.refused = connects.reduce((s, c) => s + (c.refused ?? 0), 0);
    row.retries = connects.reduce((s, c) => s + (c.retries ?? 0), 0);
    row.failedAttempts = connects.reduce((s, c) => s + (c.failedAttempts ?? 0), 0);
    if (lag !== undefined) {
      row.loopLagMaxMs = round(lag.maxMs, 1);
      row.loopLagP99Ms = round(lag.p99Ms, 1);
    } else row.notes.push('shard loop lag not measured (no process metrics: use --cluster)');
    row.notes.push(
      'join p50/p99: from the first attempt to the welcome, refusals and waits included',
    );
  }
  row.generatorCpu = round(window.generatorCpu, 1);
  row.serverCpu = window.serverCpu === undefined ? null : round(window.serverCpu, 1);
  row.cpuUsPerJoin = stormCpuUs(row, window, idle, connected);
  if (fetched === undefined && session.options.target === 'fanfare' && embeddedEngine(session)) {
    row.notes.push("embedded: CPU per join includes the API's join (signing the token)");
  }
  ctx.connects = connects;
  const memory = stormMemory({
    connected,
    before: memBefore,
    after: memAfter,
    openedKiB: session.rssBeforeKiB,
    firstAfter: rssAfter,
  });
  row.kibPerConn = memory.kibPerConn;
  row.memory = memory.memory;
  if (ctx.measureMemory === true) {
    ctx.print(memoryProgress(memBefore, memAfter));
    row.notes.push(...memory.notes);
  }
  ctx.rss = rssSpan(memBefore, memAfter, session.rssBeforeKiB, rssAfter);
  if (memory.kibPerConn !== null && embeddedEngine(session) && !session.options.targetApi) {
    row.notes.push("embedded: RSS includes the API's joins; --cluster measures the shard alone");
  }
  if (failed > 0) {
    const reasons = connects.flatMap((c) => Object.entries(c.failures ?? {}));
    row.notes.push(
      `${failed} fans failed to connect: ${reasons.map(([r, n]) => `${n}x ${r}`).join('; ')}`,
    );
  }
  row.notes.push(...saturationNote(window.generatorCpu));
  noteOtherCpu(row, window);
  return row;
}

export interface ResumeStormPlan {
  /** Share of the fans dropped at once. */
  fraction: number;
  /** Resume with the welcome's resume ticket (as the SDK does) or with the token. */
  tickets: boolean;
}

/** How long a resume storm may take before the fans still out count as failed, ms. */
const RESUME_STORM_TIMEOUT_MS = 30_000;
/**
 * How long after the drop the dropped fans reconnect, ms: the shard handles the closes of the
 * dropped sockets meanwhile, so their CPU is measured apart from the resumes' (a first join's
 * figure counts no close either). Short, because the shard's idle CPU subtracted over the window
 * is noise beside the closes' own (1,198 closes took 10-20 ms of CPU, done within 200 ms of the
 * drop at load average 7); the row notes when the shard had not seen every close by the cut.
 */
export const CLOSE_SETTLE_MS = 500;
/** The close window ends this long before the reconnects start, ms. */
const CLOSE_CUT_MARGIN_MS = 50;

/**
 * A share of the fans drop at once (no close frame), with no chat flowing, and reconnect with
 * `?since=` and their resume tickets or their tokens, CLOSE_SETTLE_MS later: what a resume
 * costs the shard, measured as the join storm measures a first join (`cpuUsPerResume`), and
 * apart from it what the dropped sockets' closes cost (`cpuUsPerClose`, per dropped socket).
 * The resume times count from the reconnect.
 */
export async function resumeStorm(ctx: PhaseContext, plan: ResumeStormPlan): Promise<ScenarioRow> {
  const { session } = ctx;
  const name = plan.tickets ? 'resume-storm' : 'resume-storm-token';
  const meter = new PhaseMeter(session, `${name} ${session.options.target}`, ctx.print);
  const metricsUrl = await shardMetricsUrl(ctx);
  const fansBefore = metricsUrl === undefined ? undefined : await scrapeConnections(metricsUrl);
  const idle = await idleCpuRate(session);
  await meter.start();
  const resumeAtMs = nowMs() + CLOSE_SETTLE_MS;
  const dropping = session.all(
    'drop',
    {
      fraction: plan.fraction,
      timeoutMs: RESUME_STORM_TIMEOUT_MS,
      tickets: plan.tickets,
      resumeAtMs,
    },
    CLOSE_SETTLE_MS + RESUME_STORM_TIMEOUT_MS + 10_000,
  );
  await delay(Math.max(0, resumeAtMs - CLOSE_CUT_MARGIN_MS - nowMs()));
  const closes = await meter.cut();
  // After the cut: the scrape's own CPU (a few ms) counts in the resume window, not the close's.
  const fansAtCut = metricsUrl === undefined ? undefined : await scrapeConnections(metricsUrl);
  const drops = await dropping;
  const window = await meter.stop();
  const { latency, continuity, resumed, dropped, firstFailure } = sumRecoveries(drops);
  const row = baseRow(ctx, name, window.connected);
  Object.assign(row, latencyColumns(latency));
  row.dropped = dropped;
  row.resumed = resumed;
  row.continuity = continuity;
  if (latency.count > 0) {
    row.resumeP50Ms = round(latency.percentile(50));
    row.resumeP99Ms = round(latency.percentile(99));
    row.connectPerSec = Math.round(resumed / Math.max(0.001, latency.max / 1000));
  }
  row.cpuUsPerClose = stormCpuUs(row, closes, idle, dropped, 'CPU per close');
  row.cpuUsPerResume = stormCpuUs(row, window, idle, resumed, 'CPU per resume');
  if (fansBefore !== undefined && fansAtCut !== undefined && fansBefore - fansAtCut < dropped) {
    row.notes.push(
      `the shard had closed ${fansBefore - fansAtCut} of the ${dropped} dropped sockets by the cut: the rest count as resume CPU`,
    );
  }
  // Frames to fans are sends the shard pays for: the welcomes, and presence to the other fans.
  row.notes.push(
    `fans received ${closes.frames} frames in the close window, ${window.frames} in the resume window (${resumed} welcomes)`,
  );
  row.notes.push(
    `resume times from the reconnect, ${CLOSE_SETTLE_MS} ms after the drop; CPU per close is per dropped socket, per resume per fan resumed`,
  );
  row.generatorCpu = round(window.generatorCpu, 1);
  row.serverCpu = window.serverCpu === undefined ? null : round(window.serverCpu, 1);
  row.notes.push(plan.tickets ? 'resumed with resume tickets' : 'resumed with tokens (ES256)');
  if (embeddedEngine(session)) row.notes.push('embedded: the CPU is the whole engine (API idle)');
  if (firstFailure !== undefined) row.notes.push(`a fan did not come back: ${firstFailure}`);
  row.notes.push(...saturationNote(window.generatorCpu));
  noteOtherCpu(row, window);
  return row;
}

export interface ReactionsPlan {
  tapsPerFanPerS: number;
  durationS: number;
}

/** Every fan taps; counts the reaction frames that reach fans and the taps they carry. */
export async function reactions(ctx: PhaseContext, plan: ReactionsPlan): Promise<ScenarioRow> {
  const { session } = ctx;
  const meter = new PhaseMeter(session, `reactions ${session.options.target}`, ctx.print);
  await meter.start();
  const startAtMs = nowMs() + START_LEAD_MS;
  const durationMs = plan.durationS * 1000;
  const sends = await session.all(
    'react',
    { startAtMs, durationMs, tapsPerFanPerS: plan.tapsPerFanPerS },
    START_LEAD_MS + durationMs + 15_000,
  );
  const busy = await meter.cut();
  // One more aggregation window, so the last taps' frames arrive.
  await delay(500);
  const window = await meter.stop();
  const live = window.connected;
  // Rates over the tapping itself; the taps seen over the whole window, tail included.
  const seconds = Math.max(0.001, (busy.endMs - startAtMs) / 1000);
  const row = baseRow(ctx, 'reactions', live);
  row.tapsPerSec = Math.round(busy.taps / seconds);
  row.deliveriesPerSec = Math.round(busy.reactionFrames / seconds);
  row.framesPerFanPerSec = round(busy.reactionFrames / Math.max(1, live) / seconds);
  row.tapsSeenRatio =
    window.taps > 0 ? round(window.tapsSeen / (window.taps * Math.max(1, live)), 3) : 0;
  row.disconnects = window.disconnects;
  const cpu = sends.reduce((s, r) => s + ((r.cpu.userMs + r.cpu.systemMs) / r.cpu.wallMs) * 100, 0);
  row.generatorCpu = round(cpu, 1);
  row.serverCpu = busy.serverCpu === undefined ? null : round(busy.serverCpu, 1);
  row.cpuUsPerDelivery = cpuUsPer(busy.shardCpuSeconds, busy.reactionFrames);
  row.notes.push(...saturationNote(cpu));
  noteOtherCpu(row, busy);
  if (window.disconnects > 0) row.notes.push(serverClosesNote(window.disconnects));
  return row;
}
