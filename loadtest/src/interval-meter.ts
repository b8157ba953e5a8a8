// The generator's side of the interval polls: counters as deltas since the previous poll, the
// process's CPU and event-loop delay over the interval, and the latency histogram handed over
// and restarted (the run's whole histogram is kept here for the final report).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { nowMs } from './clock.js';
import type { FanReceiver } from './fan-receiver.js';
import { Histogram } from './histogram.js';
import type { HistogramSnapshot } from './histogram.js';
import type { IntervalStats } from './worker-messages.js';

/** Event-loop delay sampling interval, ms; Node's samples include it, so it is taken off. */
const LOOP_DELAY_RESOLUTION_MS = 10;

interface Marks {
  atMs: number;
  cpu: NodeJS.CpuUsage;
  delivered: number;
  sent: number;
  rejected: number;
  taps: number;
  reactionFrames: number;
  tapsSeen: number;
  disconnects: number;
  frames: number;
  chatFrames: number;
}

/** Every text frame the fans received so far, and the chat ones. */
function frameCounts(r: FanReceiver): { frames: number; chatFrames: number } {
  let frames = 0;
  for (const n of Object.values(r.stats.frames)) frames += n;
  return { frames, chatFrames: r.stats.frames.chat ?? 0 };
}

export class IntervalMeter {
  readonly #latency = new Histogram();
  readonly #loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  #last: Marks;

  constructor() {
    this.#loopDelay.enable();
    this.#last = {
      atMs: nowMs(),
      cpu: process.cpuUsage(),
      delivered: 0,
      sent: 0,
      rejected: 0,
      taps: 0,
      reactionFrames: 0,
      tapsSeen: 0,
      disconnects: 0,
      frames: 0,
      chatFrames: 0,
    };
  }

  /** What happened since the last poll; `sent` and `taps` are the fleet's running totals. */
  poll(r: FanReceiver, sent: number, taps: number): IntervalStats {
    const s = r.stats;
    const atMs = nowMs();
    const last = this.#last;
    const cpu = process.cpuUsage(last.cpu);
    const latency = s.latency.snapshot();
    this.#latency.merge(latency);
    s.latency.reset();
    const loopDelayMaxMs = Math.max(0, this.#loopDelay.max / 1e6 - LOOP_DELAY_RESOLUTION_MS);
    this.#loopDelay.reset();
    const counts = frameCounts(r);
    this.#last = {
      ...counts,
      atMs,
      cpu: process.cpuUsage(),
      delivered: s.delivered,
      sent,
      rejected: s.rejected,
      taps,
      reactionFrames: r.reactionFrames,
      tapsSeen: r.tapsSeen,
      disconnects: r.disconnectCount,
    };
    return {
      atMs,
      cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs: atMs - last.atMs },
      loopDelayMaxMs,
      delivered: s.delivered - last.delivered,
      latency,
      sent: sent - last.sent,
      rejected: s.rejected - last.rejected,
      taps: taps - last.taps,
      reactionFrames: r.reactionFrames - last.reactionFrames,
      tapsSeen: r.tapsSeen - last.tapsSeen,
      disconnects: r.disconnectCount - last.disconnects,
      frames: counts.frames - last.frames,
      chatFrames: counts.chatFrames - last.chatFrames,
      connected: r.live,
      maxSeq: r.maxSeq,
    };
  }

  /** The whole run's latency, including what arrived since the last poll. */
  runLatency(r: FanReceiver): HistogramSnapshot {
    this.#latency.merge(r.stats.latency);
    r.stats.latency.reset();
    return this.#latency.snapshot();
  }

  close(): void {
    this.#loopDelay.disable();
  }
}
