// Timed sends for the generator: a stream of `emit` calls at an even rate from a shared-clock
// start, with catch-up when the event loop was late, and a stop switch that ends every stream
// at once. Used for the senders' chat and the fans' reaction taps.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { dueAt, dueCount, paceSchedule } from './chat-pacer.js';
import { nowMs } from './clock.js';
import type { SendResult } from './worker-messages.js';

/** How often a stream wakes to emit what is due, ms. */
const SEND_TICK_MS = 2;
/** Event-loop delay sampling interval, ms; Node's samples include it, so it is taken off. */
const LOOP_DELAY_RESOLUTION_MS = 10;

export class Pacer {
  #generation = 0;

  /** Ends every running stream, and every stream still waiting for its start. */
  stopAll(): void {
    this.#generation++;
  }

  /**
   * Calls `emit` `ratePerS` times a second, evenly, from `startAtMs` (shared clock) for
   * `durationMs` or until stopAll(), catching up in bursts when the loop was late. `phase` (0-1)
   * shifts the first call within one interval, to stagger generators. `emit` returns whether it
   * sent something. The result's CPU is this whole process's over the stream.
   */
  async stream(
    startAtMs: number,
    durationMs: number,
    ratePerS: number,
    phase: number,
    emit: () => boolean,
  ): Promise<SendResult> {
    const generation = this.#generation;
    await delay(Math.max(0, startAtMs - nowMs()));
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const cpuStart = process.cpuUsage();
    const wallStart = nowMs();
    let maxSendLagMs = 0;
    let sent = 0;
    // A stop while this stream waited for its start ends it before it sends anything.
    if (ratePerS > 0 && generation === this.#generation) {
      const schedule = paceSchedule(Math.round(phase * 1000), 1000, ratePerS, durationMs);
      let done = 0;
      await new Promise<void>((resolve) => {
        const tick = (): void => {
          const elapsed = nowMs() - startAtMs;
          const due = dueCount(schedule, elapsed);
          if (done < due) maxSendLagMs = Math.max(maxSendLagMs, elapsed - dueAt(schedule, done));
          for (; done < due; done++) if (emit()) sent++;
          if (elapsed >= durationMs || generation !== this.#generation) {
            clearInterval(timer);
            resolve();
          }
        };
        const timer = setInterval(tick, SEND_TICK_MS);
        tick();
      });
    }
    const cpu = process.cpuUsage(cpuStart);
    loopDelay.disable();
    const delayMs = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
    return {
      sent,
      maxSendLagMs,
      cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs: nowMs() - wallStart },
      loopDelayP99Ms: delayMs(loopDelay.percentile(99)),
      loopDelayMaxMs: delayMs(loopDelay.max),
    };
  }
}
