// Waiting on client events instead of sleeping: every wait is bounded and says what it was
// waiting for when it times out.

import type { FanfareClient, FanfareClientEvents } from '../src/index.js';

/** A limit for a hang, not a speed, as testkit's WAIT_LIMIT_MS (fan-client.ts says why). */
export const WAIT_LIMIT_MS = 20_000;

/**
 * Resolves with the first `type` event matching `predicate` emitted after this call. Subscribe
 * before causing the event.
 */
export function waitFor<K extends keyof FanfareClientEvents>(
  client: FanfareClient,
  type: K,
  predicate: (payload: FanfareClientEvents[K]) => boolean = () => true,
  timeoutMs = WAIT_LIMIT_MS,
): Promise<FanfareClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a "${String(type)}" event`));
    }, timeoutMs);
    const off = client.on(type, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Every `type` event from now on, in order. */
export function collect<K extends keyof FanfareClientEvents>(
  client: FanfareClient,
  type: K,
): FanfareClientEvents[K][] {
  const seen: FanfareClientEvents[K][] = [];
  client.on(type, (payload) => seen.push(payload));
  return seen;
}

/** Resolves once `check` holds, re-checked on every `type` event; bounded like waitFor. */
export async function waitUntil<K extends keyof FanfareClientEvents>(
  client: FanfareClient,
  type: K,
  check: () => boolean,
  what: string,
  timeoutMs = WAIT_LIMIT_MS,
): Promise<void> {
  if (check()) return;
  await waitFor(client, type, () => check(), timeoutMs).catch((err: unknown) => {
    throw new Error(`timed out waiting until ${what}`, { cause: err });
  });
}

/** The integers from..to, inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
