// How the generator's fans meet admission control, as the SDK does: a 503 from the join or the
// upgrade is waited out (its Retry-After plus the client's full jitter, protocol/src/
// admission.ts), a connection that failed with no HTTP answer at all (reset, refused, timed out:
// a listen queue overflowing) or a 5xx is retried after the SDK's full-jitter exponential
// backoff, and anything else (a 4xx) ends the fan. Until a deadline. Also the open-loop arrival
// schedule of the join storm (`--within`): fan i of N starts at i/N of the window, whatever
// happened to the fans before it.

import { admissionRetryDelayMs } from '@fanfare/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { nowMs } from './clock.js';

/**
 * 503 answers met (and how many of them carried a `Retry-After`), failures without an answer
 * (or 5xx) met, and attempts made again after either.
 */
export interface RetryCounts {
  refused: number;
  withRetryAfter?: number;
  failedAttempts?: number;
  retries: number;
}

/** The SDK's default backoff (sdk/src/backoff.ts): full jitter below min(30 s, 500 ms x 2^n). */
const BACKOFF_INITIAL_MS = 500;
const BACKOFF_MAX_MS = 30_000;

/** Whether an error is worth another attempt after backoff: no HTTP answer, or a 5xx. */
function transient(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && (status === 0 || status >= 500);
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
 * Runs `attempt` until it succeeds, waiting out each 503 and backing off after each failure
 * without an answer as the SDK does; rethrows a 4xx, and any failure whose wait would end past
 * `deadlineMs`.
 */
export async function retryWhileRefused<T>(
  attempt: () => Promise<T>,
  deadlineMs: number,
  counts: RetryCounts,
  random: () => number = Math.random,
  pause: (ms: number) => Promise<unknown> = sleep,
): Promise<T> {
  for (let failures = 0; ;) {
    try {
      return await attempt();
    } catch (error) {
      const refused = refusal503(error);
      let waitMs: number;
      if (refused !== undefined) {
        counts.refused++;
        if (refused.retryAfterS !== undefined) {
          counts.withRetryAfter = (counts.withRetryAfter ?? 0) + 1;
        }
        waitMs = admissionRetryDelayMs(refused.retryAfterS, random);
      } else if (transient(error)) {
        counts.failedAttempts = (counts.failedAttempts ?? 0) + 1;
        waitMs = Math.floor(
          random() * Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** failures++),
        );
      } else throw error;
      if (nowMs() + waitMs > deadlineMs) throw error;
      counts.retries++;
      await pause(waitMs);
    }
  }
}
