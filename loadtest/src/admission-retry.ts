// How the generator's fans meet admission control: as the SDK does, a 503 from the join or the
// upgrade is waited out (its Retry-After plus the client's full jitter, protocol/src/
// admission.ts) and the attempt made again, until a deadline; any other failure ends the fan.
// Also the open-loop arrival schedule of the join storm (`--within`): fan i of N starts at
// i/N of the window, whatever happened to the fans before it.

import { admissionRetryDelayMs } from '@fanfare/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowMs } from './clock.js';

/** 503 answers met (and how many of them carried a `Retry-After`), and attempts made again. */
export interface RetryCounts {
  refused: number;
  withRetryAfter?: number;
  retries: number;
}

/** The open-loop schedule: every fan of every generator arrives within `windowMs` of `startAtMs`. */
export interface Arrival {
  /** On the shared clock (clock.ts). */
  startAtMs: number;
  windowMs: number;
  /** Fans over all generators, to place each by its global index. */
  totalFans: number;
  /** No retry starts past this (shared clock). */
  deadlineMs: number;
}

/** When fan `globalIndex` of the storm makes its first attempt, on the shared clock. */
export function arrivalAtMs(arrival: Arrival, globalIndex: number): number {
  return arrival.startAtMs + (globalIndex / Math.max(1, arrival.totalFans)) * arrival.windowMs;
}

/** The `Retry-After` of an error that carries a 503 (JoinError, ConnectFailedError), else undefined. */
export function refusal503(error: unknown): { retryAfterS: number | undefined } | undefined {
  const e = error as { status?: unknown; retryAfterS?: unknown } | null;
  if (typeof e !== 'object' || e === null || e.status !== 503) return undefined;
  return { retryAfterS: typeof e.retryAfterS === 'number' ? e.retryAfterS : undefined };
}

/**
 * Runs `attempt` until it succeeds, waiting out each 503 as the SDK does; rethrows any other
 * failure, and a 503 whose wait would end past `deadlineMs`.
 */
export async function retryWhileRefused<T>(
  attempt: () => Promise<T>,
  deadlineMs: number,
  counts: RetryCounts,
  random: () => number = Math.random,
  pause: (ms: number) => Promise<unknown> = sleep,
): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const refused = refusal503(error);
      if (refused === undefined) throw error;
      counts.refused++;
      if (refused.retryAfterS !== undefined)
        counts.withRetryAfter = (counts.withRetryAfter ?? 0) + 1;
      const waitMs = admissionRetryDelayMs(refused.retryAfterS, random);
      if (nowMs() + waitMs > deadlineMs) throw error;
      counts.retries++;
      await pause(waitMs);
    }
  }
}
