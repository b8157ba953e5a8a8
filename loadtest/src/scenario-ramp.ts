// broadcast-max: how much chat a target delivers within the latency objective. Steps of a few
// seconds at a fixed rate; after a step that held (p99 within the objective, fans keeping up,
// nobody closed) the rate rises by `factor`, after one that missed the run stops, or, when no
// step has held yet, drains and tries `factor` lower. The best step that held is the answer:
// it goes in the row, and into the capacity profile for Fanfare.

import { setTimeout as delay } from 'node:timers/promises';
import { nowMs } from './clock.js';
import { PhaseMeter } from './phase-meter.js';
import type { Window } from './phase-meter.js';
import { auditNow, fillAudit, sendAll } from './scenario-chat.js';
import { baseRow } from './scenario-connect.js';
import type { PhaseContext } from './scenario-connect.js';
import { cpuUsPer, latencyColumns, noteOtherCpu, round, saturationNote } from './scenario-row.js';
import type { RampStep, ScenarioRow } from './scenario-row.js';

/** A step keeps up when fans got at least this share of what was sent to them. */
export const KEEP_UP_SHARE = 0.9;
/** The lowest rate a ramp tries, msg/s. */
export const MIN_RAMP_RATE = 1;
/** Pause before each step, so its window starts clean of the last one's tail, ms. */
const STEP_GAP_MS = 300;
/** After a missed step, how long the backlog may take to drain before the next, ms. */
const MISSED_DRAIN_MS = 15_000;

export interface RampPlan {
  startRatePerS: number;
  factor: number;
  stepS: number;
  maxSteps: number;
  /** p99 a step must stay within, ms. */
  objectiveMs: number;
  senders: number;
}

/** Whether a step's window held the objective, and its figures. */
export function judgeStep(w: Window, ratePerSec: number, objectiveMs: number): RampStep {
  const seconds = Math.max(0.001, (w.endMs - w.startMs) / 1000);
  const offered = ((w.sent - w.rejected) / seconds) * w.connected;
  const p99 = w.latency.percentile(99);
  return {
    ratePerSec,
    messagesPerSec: round(w.sent / seconds, 1),
    offeredPerSec: Math.round(offered),
    deliveriesPerSec: Math.round(w.delivered / seconds),
    p50Ms: round(w.latency.percentile(50)),
    p99Ms: round(p99),
    maxMs: round(w.latency.max),
    generatorCpu: round(w.generatorCpu, 1),
    serverCpu: w.serverCpu === undefined ? null : round(w.serverCpu, 1),
    disconnects: w.disconnects,
    held:
      w.latency.count > 0 &&
      p99 <= objectiveMs &&
      w.disconnects === 0 &&
      w.delivered >= KEEP_UP_SHARE * offered * seconds,
  };
}

/** The next rate, or undefined when the ramp has found its edge. */
export function nextRate(steps: readonly RampStep[], factor: number): number | undefined {
  const last = steps.at(-1);
  if (last === undefined) return undefined;
  const anyHeld = steps.some((s) => s.held);
  if (last.held) {
    const next = last.ratePerSec * factor;
    // Coming up from below a miss: that miss is the edge, no need to meet it again.
    return steps.some((s) => !s.held && s.ratePerSec <= next * 1.001) ? undefined : next;
  }
  // Missed: above a held step that is the edge; below every step so far, look lower, down to
  // MIN_RAMP_RATE: a target that misses there holds the objective at no rate.
  if (anyHeld || last.ratePerSec <= MIN_RAMP_RATE) return undefined;
  return Math.max(MIN_RAMP_RATE, last.ratePerSec / factor);
}

export async function broadcastRamp(ctx: PhaseContext, plan: RampPlan): Promise<ScenarioRow> {
  const { session } = ctx;
  const before = await auditNow(ctx);
  const meter = new PhaseMeter(session, `broadcast-max ${session.options.target}`, ctx.print);
  await meter.start();
  const steps: RampStep[] = [];
  const windows: Window[] = [];
  let rate: number | undefined = plan.startRatePerS;
  while (rate !== undefined && steps.length < plan.maxSteps) {
    const startAtMs = nowMs() + STEP_GAP_MS;
    const step = { name: 'step', ratePerS: rate, durationS: plan.stepS, senders: plan.senders };
    const sending = sendAll(ctx, step, startAtMs);
    await delay(Math.max(0, startAtMs - nowMs()));
    await meter.cut(); // The gap is nobody's window.
    await delay(Math.max(0, startAtMs + plan.stepS * 1000 - nowMs()));
    const w = await meter.cut();
    await sending;
    const judged = judgeStep(w, round(rate, 1), plan.objectiveMs);
    steps.push(judged);
    windows.push(w);
    ctx.print(
      `step ${judged.ratePerSec} msg/s: ${judged.deliveriesPerSec} deliveries/s, p99 ${judged.p99Ms} ms, ${judged.held ? 'held' : 'missed'}`,
    );
    if (!judged.held) await session.drain(undefined, MISSED_DRAIN_MS);
    rate = nextRate(steps, plan.factor);
  }
  await meter.stop();
  const after = await auditNow(ctx);
  const held = steps.filter((s) => s.held);
  const best =
    held.length > 0
      ? held.reduce((a, b) => (b.deliveriesPerSec > a.deliveriesPerSec ? b : a))
      : steps.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
  const bestWindow = windows[steps.indexOf(best)]!;
  const row = baseRow(ctx, 'broadcast-max', bestWindow.connected);
  row.deliveriesPerSec = best.deliveriesPerSec;
  Object.assign(row, latencyColumns(bestWindow.latency));
  fillAudit(row, before, after);
  row.messagesPerSec = best.messagesPerSec;
  row.generatorCpu = best.generatorCpu;
  row.serverCpu = best.serverCpu;
  row.cpuUsPerDelivery = cpuUsPer(bestWindow.shardCpuSeconds, bestWindow.delivered);
  row.steps = steps;
  row.heldObjective = best.held;
  row.disconnects = steps.reduce((s, x) => s + x.disconnects, 0);
  if (!best.held) {
    row.notes.push(
      `no step held p99 <= ${plan.objectiveMs} ms; the step with the lowest p99 is shown`,
    );
  }
  row.notes.push(...saturationNote(best.generatorCpu));
  noteOtherCpu(row, bestWindow);
  return row;
}
