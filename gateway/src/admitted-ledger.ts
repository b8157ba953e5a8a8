// The fans this shard admitted per placement (the token's `plc`: API replica, assignment second)
// over the last ADMITTED_WINDOW_S, reported in the registry heartbeat. With it each API replica
// counts as "assigned but not connected yet" exactly its assignments the shard has not admitted,
// however late a fan connects within the window (docs/architecture.md, placement). Bounded: a
// second outside the window is not recorded, and at most MAX_REPLICAS_PER_SECOND replicas per
// second are (tokens are signed by the API, but a bound must not rest on that); a fan not
// recorded is one the API keeps counting as coming until its window ends: it errs towards room.

import { ADMITTED_WINDOW_S, type Placement } from '@fanfare/protocol';

/** Most API replicas recorded per second; more is a misconfiguration, not a workload. */
export const MAX_REPLICAS_PER_SECOND = 32;
/** How far ahead of this shard's clock a placement second may be (clock skew), seconds. */
export const ADMITTED_SKEW_S = 5;

export class AdmittedLedger {
  /** second -> replica -> fans admitted. */
  readonly #seconds = new Map<number, Map<string, number>>();

  /** Counts one fan admitted with `placement`, at `nowMs` on this shard's clock. */
  record(placement: Placement, nowMs: number): void {
    const nowS = Math.floor(nowMs / 1000);
    if (placement.s < nowS - ADMITTED_WINDOW_S || placement.s > nowS + ADMITTED_SKEW_S) return;
    let replicas = this.#seconds.get(placement.s);
    if (replicas === undefined) {
      this.#prune(nowS);
      replicas = new Map();
      this.#seconds.set(placement.s, replicas);
    }
    const n = replicas.get(placement.r);
    if (n !== undefined) replicas.set(placement.r, n + 1);
    else if (replicas.size < MAX_REPLICAS_PER_SECOND) replicas.set(placement.r, 1);
  }

  /** What the heartbeat carries: replica -> second -> fans, for the seconds in the window. */
  report(nowMs: number): Record<string, Record<string, number>> {
    this.#prune(Math.floor(nowMs / 1000));
    const out: Record<string, Record<string, number>> = {};
    for (const [second, replicas] of this.#seconds) {
      for (const [replica, n] of replicas) (out[replica] ??= {})[String(second)] = n;
    }
    return out;
  }

  #prune(nowS: number): void {
    for (const second of this.#seconds.keys()) {
      if (second < nowS - ADMITTED_WINDOW_S) this.#seconds.delete(second);
    }
  }
}
