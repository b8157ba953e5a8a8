// The chat phases: broadcast at a fixed rate (and chat-storm, the same with many senders within
// the fan limits) and recovery (fans dropped mid-stream and resumed with `?since=`; its chat
// with a loss of fans at half time is shared with shard-kill, scenario-shard-kill.ts). Each reports
// deliveries/s, publish-to-fan latency and an audit of every fan's seqs: lost, duplicated,
// reordered. broadcast-max (the ramp) lives in scenario-ramp.ts.

import { setTimeout as delay } from 'node:timers/promises';
import { nowMs } from './clock.js';
import { PhaseMeter } from './phase-meter.js';
import { sumRecoveries } from './resume-tally.js';
import type { MeterSource, Window } from './phase-meter.js';
import { START_LEAD_MS, baseRow } from './scenario-connect.js';
import type { PhaseContext } from './scenario-connect.js';
import { cpuUsPer, latencyColumns, noteOtherCpu, round, saturationNote } from './scenario-row.js';
import { serverClosesNote } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';
import type { AuditResult, RecoveryResult, SendResult } from './worker-messages.js';

/** Time past a send phase a generator may take to report it, ms. */
const SEND_GRACE_MS = 15_000;

export interface ChatPlan {
  name: string;
  /** Messages per second over all active senders. */
  ratePerS: number;
  durationS: number;
  /** Senders used (global indices below this); all the session's when undefined. */
  senders: number;
}

/** The highest seq any fan has seen, then the audit up to it. */
export async function auditNow(ctx: PhaseContext): Promise<AuditResult & { lastSeq: number }> {
  const polls = await ctx.session.poll();
  const lastSeq = Math.max(0, ...polls.map((p) => p.maxSeq));
  return { ...(await ctx.session.audit(lastSeq)), lastSeq };
}

export function sendCpu(sends: SendResult[]): number {
  return sends.reduce(
    (s, r) => s + ((r.cpu.userMs + r.cpu.systemMs) / Math.max(1, r.cpu.wallMs)) * 100,
    0,
  );
}

export function fillAudit(row: ScenarioRow, before: AuditResult, after: AuditResult): void {
  row.lost = Math.max(0, after.lost - before.lost);
  row.duplicated = after.duplicates - before.duplicates;
  row.reordered = after.reordered - before.reordered;
}

/** Runs one paced send over all generators and waits for its end. */
export async function sendAll(
  ctx: PhaseContext,
  plan: ChatPlan,
  startAtMs: number,
): Promise<SendResult[]> {
  const durationMs = plan.durationS * 1000;
  return await ctx.session.all(
    'send',
    {
      startAtMs,
      durationMs,
      ratePerSender: plan.ratePerS / plan.senders,
      activeSenders: plan.senders,
    },
    Math.max(0, startAtMs - nowMs()) + durationMs + SEND_GRACE_MS,
  );
}

/** Chat at a fixed rate; every fan should get every message once, in order. */
export async function broadcast(ctx: PhaseContext, plan: ChatPlan): Promise<ScenarioRow> {
  const { session } = ctx;
  const before = await auditNow(ctx);
  const meter = new PhaseMeter(session, `${plan.name} ${session.options.target}`, ctx.print);
  await meter.start();
  const startAtMs = nowMs() + START_LEAD_MS;
  const sends = await sendAll(ctx, plan, startAtMs);
  const busy = await meter.cut();
  const live = busy.connected;
  const { drain, progress } = await session.drain(undefined);
  const window = await meter.stop();
  const after = await auditNow(ctx);
  ctx.chat = { sends, startAtMs, drain, serverCpu: busy.serverCpu, hostCpu: busy.hostCpu };
  return chatRow(ctx, plan.name, {
    window,
    busy,
    sends,
    before,
    after,
    live,
    startAtMs,
    lastDeliveryAtMs: progress.lastDeliveryAtMs,
    drainEnd: drain.end,
  });
}

export interface ChatFigures {
  window: Window;
  busy: Window;
  sends: SendResult[];
  before: AuditResult;
  after: AuditResult;
  live: number;
  startAtMs: number;
  lastDeliveryAtMs: number;
  drainEnd: string;
}

export function chatRow(ctx: PhaseContext, name: string, f: ChatFigures): ScenarioRow {
  const row = baseRow(ctx, name, f.live);
  const seconds = Math.max(0.001, (f.lastDeliveryAtMs - f.startAtMs) / 1000);
  row.deliveriesPerSec = Math.round(f.window.delivered / seconds);
  Object.assign(row, latencyColumns(f.window.latency));
  fillAudit(row, f.before, f.after);
  const sent = f.sends.reduce((s, r) => s + r.sent, 0);
  const sendSeconds = Math.max(0.001, Math.max(...f.sends.map((r) => r.cpu.wallMs)) / 1000);
  row.messagesPerSec = round((sent - f.window.rejected) / sendSeconds, 1);
  row.rejected = f.window.rejected;
  row.disconnects = f.window.disconnects;
  row.generatorCpu = round(sendCpu(f.sends), 1);
  row.serverCpu = f.busy.serverCpu === undefined ? null : round(f.busy.serverCpu, 1);
  row.cpuUsPerDelivery = cpuUsPer(f.busy.shardCpuSeconds, f.busy.delivered);
  row.notes.push(...saturationNote(row.generatorCpu));
  noteOtherCpu(row, f.busy);
  if (f.drainEnd === 'limit')
    row.notes.push('deliveries still arriving at the drain limit: "lost" includes late ones');
  if (f.window.disconnects > 0) row.notes.push(serverClosesNote(f.window.disconnects));
  if (f.window.rejected > 0) row.notes.push(`${f.window.rejected} messages refused`);
  return row;
}

export interface RecoveryPlan {
  ratePerS: number;
  durationS: number;
  senders: number;
  /** Share of the fans dropped at half time. */
  fraction: number;
}

/** Chat flows; half-way, a share of the fans drop and resume with `?since=`; nothing may be lost. */
export async function recovery(ctx: PhaseContext, plan: RecoveryPlan): Promise<ScenarioRow> {
  const { row } = await chatThroughLoss(ctx, 'recovery', plan, ctx.session, async () => {
    const order = { fraction: plan.fraction, timeoutMs: 30_000, tickets: true };
    return await ctx.session.all('drop', order, 40_000);
  });
  return row;
}

/**
 * A chat phase (`plan`'s rate and senders) with a loss of fans at half time: `lose` makes it
 * happen (a drop, a shard's kill) and returns each generator's account of the fans it lost
 * and got back. The row has the chat columns over the whole phase, the audit (lost,
 * duplicated, reordered over every fan) and the resume columns: fans dropped and back, resume
 * p50/p99 as `lose`'s results timed them, messages recovered through resumes, continuity.
 * `meter` is what the phase's CPU is read from (the session, or a view of it that keeps a
 * killed process's CPU).
 */
export async function chatThroughLoss<R extends RecoveryResult>(
  ctx: PhaseContext,
  name: string,
  plan: { ratePerS: number; durationS: number; senders: number },
  meter: MeterSource,
  lose: () => Promise<R[]>,
): Promise<{ row: ScenarioRow; losses: R[] }> {
  const { session } = ctx;
  const before = await auditNow(ctx);
  const phase = new PhaseMeter(meter, `${name} ${session.options.target}`, ctx.print);
  await phase.start();
  const startAtMs = nowMs() + START_LEAD_MS;
  const sending = sendAll(ctx, { name, ...plan }, startAtMs);
  await delay(Math.max(0, startAtMs + (plan.durationS * 1000) / 2 - nowMs()));
  const losses = await lose();
  const sends = await sending;
  const busy = await phase.cut();
  const { drain, progress } = await session.drain(undefined);
  const window = await phase.stop();
  const after = await auditNow(ctx);
  ctx.chat = { sends, startAtMs, drain, serverCpu: busy.serverCpu, hostCpu: busy.hostCpu };
  const row = chatRow(ctx, name, {
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
  const sum = sumRecoveries(losses);
  row.dropped = sum.dropped;
  row.resumed = sum.resumed;
  row.resumeP50Ms = round(sum.latency.percentile(50));
  row.resumeP99Ms = round(sum.latency.percentile(99));
  row.recovered = after.recovered - before.recovered;
  row.continuity = sum.continuity;
  if (sum.firstFailure !== undefined)
    row.notes.push(`a fan did not come back: ${sum.firstFailure}`);
  return { row, losses };
}
