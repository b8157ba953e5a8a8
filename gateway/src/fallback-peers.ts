// The live peers this shard names as fallbacks in the grants it issues (fallback-rule.ts), read
// from the shard registry on a period and kept as a precomputed table, so the welcome and the
// `ticket` frame pay one random draw and a binary search, never a registry read.
//
// Trade-off on a registry outage: the last table keeps serving for PEERS_MAX_AGE_MS after the
// last good read (a Redis failover must not cost every grant its fallback, and the API's join
// cannot read the registry then either), and is dropped after that: a list that old may name
// shards that have died since, each costing a fan an attempt before its join.

import type { Clock, Logger, ShardRegistry, TimerHandle } from '@fanfare/fanout';
import { NO_FALLBACK, fallbackTable, pickFallback, type FallbackTable } from './fallback-rule.js';
import { OutageLog } from './outage-log.js';
import { REGISTRY_TTL_MS } from './registry-heartbeat.js';

/** How often the peers are read, ms: the heartbeat's period, so a new state is seen within two. */
export const PEERS_REFRESH_MS = REGISTRY_TTL_MS / 3;

/** How long the last good read keeps serving while the registry does not answer, ms. */
export const PEERS_MAX_AGE_MS = 30_000;

export interface FallbackPeersDeps {
  registry: ShardRegistry;
  /** This shard's id: never named. */
  shardId: string;
  clock: Clock;
  logger: Logger;
  /** A number in [0, 1), as Math.random (injected for tests). */
  random?: () => number;
}

/**
 * Contract: `pick()` names a peer from the last registry read (fallback-rule.ts: not this shard,
 * not draining, with free room, weighted by it), or undefined when there is none, no read has
 * succeeded yet, or the last good one is older than PEERS_MAX_AGE_MS. Reads run on `start()` and
 * every PEERS_REFRESH_MS, one at a time (a read still in flight is not doubled; one that never
 * answers lets the table age out all the same). A failed read is logged once per outage, and
 * the table's dropping once.
 */
export class FallbackPeers {
  #deps: FallbackPeersDeps;
  #random: () => number;
  #table: FallbackTable = NO_FALLBACK;
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;
  #timer: TimerHandle | undefined;
  #closed = false;
  #outage: OutageLog;

  constructor(deps: FallbackPeersDeps) {
    this.#deps = deps;
    this.#random = deps.random ?? Math.random;
    this.#outage = new OutageLog(deps.logger, {
      down: 'shard registry unreachable; grants keep the last fallback peers for a while',
      up: 'shard registry readable again; fallback peers refreshed',
    });
  }

  /** A peer's URL for one grant's `fallbackUrl`, or undefined: name none. */
  pick(): string | undefined {
    return pickFallback(this.#table, this.#random);
  }

  /** Reads now, then every PEERS_REFRESH_MS; idempotent. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    void this.refresh();
    this.#timer = this.#deps.clock.setInterval(() => void this.refresh(), PEERS_REFRESH_MS);
  }

  /**
   * Drops a table past its age, then reads the registry unless a read is in flight; resolves
   * when that read (the new one or the one in flight) has ended. Never rejects.
   */
  refresh(): Promise<void> {
    const stale = this.#deps.clock.now() - this.#readAt > PEERS_MAX_AGE_MS;
    if (stale && this.#table !== NO_FALLBACK) {
      this.#table = NO_FALLBACK;
      this.#deps.logger.warn('fallback peers too old to name; grants name none until a read', {
        maxAgeMs: PEERS_MAX_AGE_MS,
      });
    }
    this.#reading ??= this.#read().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  /** Stops reading and names no peer from then on; idempotent. */
  close(): void {
    if (this.#timer !== undefined) this.#deps.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    this.#closed = true;
    this.#table = NO_FALLBACK;
  }

  async #read(): Promise<void> {
    const { registry, shardId, clock } = this.#deps;
    try {
      const live = await registry.live();
      this.#outage.answered();
      if (this.#closed) return; // a read that ended after close names nothing
      this.#table = fallbackTable(shardId, live);
      this.#readAt = clock.now();
    } catch (err) {
      this.#outage.failed(err);
    }
  }
}
