// The cluster scenario (`pnpm loadtest cluster`): one event's fans over several shard processes
// on NATS and Redis, connected by several generator processes each from its own source address,
// chat at a paced rate for a bounded time. Beside the broadcast figures (deliveries/s, latency,
// lost, duplicated, reordered) it reports who used the CPU: every server process and generator,
// each core, CPU-µs per delivery on each side, and the generators' own lag, so a latency that is
// the machine's (both cores full) is not read as the engine's.

import { setTimeout as delay } from 'node:timers/promises';
import { nowMs } from './clock.js';
import { CLUSTER_GOAL } from './objectives.js';
import { PhaseMeter } from './phase-meter.js';
import { coreBusyPercents, labelServerPids, markCpu, processCpuBetween } from './process-cpu.js';
import type { CpuMark, LabelledPid, ProcessCpu } from './process-cpu.js';
import { auditNow, chatRow, sendAll } from './scenario-chat.js';
import { START_LEAD_MS } from './scenario-connect.js';
import type { PhaseContext } from './scenario-connect.js';
import { cpuUsPer, round } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';

export interface ClusterPlan {
  ratePerS: number;
  durationS: number;
  senders: number;
  /** p99 publish-to-fan the row is held to, ms. */
  objectiveMs: number;
}

/** A core busier than this over the window counts as full. */
export const CORE_FULL_PERCENT = 90;

const GENERATOR = /^(generator \d+|coordinator)$/;

/** Server (not generator) processes' CPU seconds between two marks. */
function secondsOf(before: CpuMark, after: CpuMark, server: boolean): number {
  let total = 0;
  for (const [name, s] of after.seconds) {
    const s0 = before.seconds.get(name);
    if (s0 !== undefined && GENERATOR.test(name) !== server) total += s - s0;
  }
  return total;
}

/** What bounded the row, from the CPU readings: notes that say whose limit a latency is. */
export function clusterLimitNotes(row: {
  coreBusy?: number[];
  processCpu?: ProcessCpu[];
  p99Ms: number | null;
  objectiveMs?: number;
}): string[] {
  const cores = row.coreBusy ?? [];
  const procs = row.processCpu ?? [];
  const side = (gen: boolean): number =>
    procs.filter((p) => GENERATOR.test(p.name) === gen).reduce((s, p) => s + p.cpu, 0);
  const notes: string[] = [];
  const split = `servers ${Math.round(side(false))}%, generators ${Math.round(side(true))}% of a core`;
  if (cores.length > 0 && cores.every((c) => c >= CORE_FULL_PERCENT)) {
    notes.push(
      `the machine was the limit: every core busy (${cores.map((c) => `${Math.round(c)}%`).join(', ')}; ${split})`,
    );
  } else if (cores.length > 0) {
    notes.push(`cores ${cores.map((c) => `${Math.round(c)}%`).join(', ')} busy; ${split}`);
  }
  const busiest = procs.reduce<ProcessCpu | undefined>(
    (a, b) => (a === undefined || b.cpu > a.cpu ? b : a),
    undefined,
  );
  if (busiest !== undefined && busiest.cpu >= CORE_FULL_PERCENT) {
    notes.push(`${busiest.name} at ${Math.round(busiest.cpu)}% of a core: one process saturated`);
  }
  return notes;
}

/**
 * The cores a load needs at the measured cost: `deliveriesPerSec` x (server + generator CPU-µs
 * per delivery). Above the machine's cores, the latency objective cannot hold here.
 */
export function coresNeeded(
  deliveriesPerSec: number,
  serverUsPerDelivery: number,
  generatorUsPerDelivery: number,
): number {
  return round((deliveriesPerSec * (serverUsPerDelivery + generatorUsPerDelivery)) / 1e6, 2);
}

/** Broadcast over the cluster, with the CPU of every process and core over the send window. */
export async function clusterBroadcast(ctx: PhaseContext, plan: ClusterPlan): Promise<ScenarioRow> {
  const { session } = ctx;
  const pids: LabelledPid[] = [
    ...(await labelServerPids(await session.target.serverPids())),
    ...session.workers.flatMap((w, i) =>
      w.pid === undefined ? [] : [{ name: `generator ${i + 1}`, pid: w.pid }],
    ),
    { name: 'coordinator', pid: process.pid },
  ];
  const before = await auditNow(ctx);
  const meter = new PhaseMeter(session, 'cluster', ctx.print);
  await meter.start();
  const startAtMs = nowMs() + START_LEAD_MS;
  const chat = { name: 'cluster', ...plan };
  const sending = sendAll(ctx, chat, startAtMs);
  await delay(Math.max(0, startAtMs - nowMs()));
  const cpuStart = await markCpu(pids);
  const sends = await sending;
  const cpuEnd = await markCpu(pids);
  const busy = await meter.cut();
  const { drain, progress } = await session.drain(undefined);
  const window = await meter.stop();
  const after = await auditNow(ctx);
  ctx.chat = { sends, startAtMs, drain, serverCpu: busy.serverCpu, hostCpu: busy.hostCpu };
  const row = chatRow(ctx, 'cluster', {
    window,
    busy,
    sends,
    before,
    after,
    live: busy.connected,
    startAtMs,
    lastDeliveryAtMs: progress.lastDeliveryAtMs,
    drainEnd: drain.end,
  });
  const connects = ctx.connects ?? [];
  const connected = connects.reduce((s, c) => s + c.connected, 0);
  const connectS = Math.max(0.001, ...connects.map((c) => c.elapsedMs)) / 1000;
  row.connectPerSec = Math.round(connected / connectS);
  row.connectFailed = connects.reduce((s, c) => s + c.failed, 0);
  const stale = connects.reduce((s, c) => s + (c.staleRetries ?? 0), 0);
  if (stale > 0) row.staleSocketRetries = stale;
  const unanswered = connects.reduce((s, c) => s + (c.failedAttempts ?? 0), 0);
  if (unanswered > 0) row.failedAttempts = unanswered;
  const skipped = connects.reduce((s, c) => s + (c.notAttempted ?? 0), 0);
  if (skipped > 0) {
    row.notes.push(
      `the connect limit (${session.options.connectLimitS} s) came first: ${skipped.toLocaleString('en-US')} fans not attempted`,
    );
  }
  row.processCpu = processCpuBetween(cpuStart, cpuEnd);
  row.coreBusy = coreBusyPercents(cpuStart.cores, cpuEnd.cores);
  row.serverCpuUsPerDelivery = cpuUsPer(secondsOf(cpuStart, cpuEnd, true), busy.delivered);
  row.generatorCpuUsPerDelivery = cpuUsPer(secondsOf(cpuStart, cpuEnd, false), busy.delivered);
  const sendS = Math.max(0.001, (cpuEnd.atMs - cpuStart.atMs) / 1000);
  row.framesPerSec = Math.round(busy.frames / sendS);
  row.messagesPerChatFrame = busy.chatFrames > 0 ? round(busy.delivered / busy.chatFrames) : null;
  row.serverCpuUsPerFrame = cpuUsPer(secondsOf(cpuStart, cpuEnd, true), busy.frames);
  row.generatorCpuUsPerFrame = cpuUsPer(secondsOf(cpuStart, cpuEnd, false), busy.frames);
  row.generatorLoopLagMaxMs = round(Math.max(0, ...sends.map((s) => s.loopDelayMaxMs)), 1);
  row.generatorSendLagMaxMs = round(Math.max(0, ...sends.map((s) => s.maxSendLagMs)), 1);
  row.objectiveMs = plan.objectiveMs;
  row.heldObjective =
    row.p99Ms !== null &&
    row.p99Ms <= plan.objectiveMs &&
    row.lost + row.duplicated + row.reordered === 0 &&
    row.connectFailed === 0 &&
    (row.disconnects ?? 0) === 0;
  row.notes.push(...clusterLimitNotes(row));
  if (row.serverCpuUsPerFrame != null && row.generatorCpuUsPerFrame != null) {
    // Within the objective a message waits for no other: each is its own frame to every fan.
    const goal = CLUSTER_GOAL.fans * CLUSTER_GOAL.ratePerS;
    const cores = coresNeeded(goal, row.serverCpuUsPerFrame, row.generatorCpuUsPerFrame);
    row.notes.push(
      `at these costs per frame, ${CLUSTER_GOAL.fans.toLocaleString('en-US')} fans x ${CLUSTER_GOAL.ratePerS} msg/s with each message its own frame (${goal.toLocaleString('en-US')} frames/s) need ${cores} cores, servers and generators together (chat alone)`,
    );
  }
  return row;
}
