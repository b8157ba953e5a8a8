// Picks the gateway shard for each join from the shard registry. The live shard list is cached
// briefly (a join storm must not become a Redis storm) and the fans assigned since the last
// read are counted locally, so a burst between refreshes still fills shards in turn. When the
// registry is unreachable the last list keeps serving, so a Redis outage does not stop joins.
//
// Capacity reservations (pre-warm, prewarm-shards.ts) are enforced here: a fan of one event is
// placed only while the cluster's free room exceeds what other events reserved and have not
// filled yet, so a storm of another event cannot take a pre-warmed event's room. The event's own
// reservation is its to fill; an event without one gets only the unreserved room.

import {
  ASSIGNMENT_HEADROOM,
  assignShard,
  type CapacityReservation,
  type ShardRegistry,
  type ShardState,
} from '@fanfare/fanout';
import type { Logger } from '@fanfare/fanout';
import { shardAddress } from './join-request.js';
import { reservedByOthers } from './prewarm-shards.js';

/** How long a read of the registry is reused, ms. */
export const REGISTRY_CACHE_MS = 250;
/**
 * A fan assigned this long before a shard's figures were taken may not have connected yet when
 * they were, ms: such assignments are counted on top of the shard's own count. (Shards
 * heartbeat every 2 s; assignments older than that plus this slack are forgotten.)
 */
export const CONNECT_SLACK_MS = 250;
const ASSIGNMENT_MEMORY_MS = 3_000 + CONNECT_SLACK_MS;

function count(shard: ShardState, eventId: string): void {
  shard.fans++;
  shard.events[eventId] = (shard.events[eventId] ?? 0) + 1;
}

export class GatewayPicker {
  #registry: ShardRegistry;
  #logger: Logger;
  #now: () => number;
  #shards: ShardState[] = [];
  #readAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;
  /** Other events' pre-warm reservations, read with the shards (the last read while down). */
  #reservations: readonly CapacityReservation[] = [];
  /** Recent assignments, oldest first. */
  #assigned: Array<{ at: number; shardId: string; eventId: string }> = [];

  constructor(registry: ShardRegistry, logger: Logger, now: () => number = Date.now) {
    this.#registry = registry;
    this.#logger = logger;
    this.#now = now;
  }

  /**
   * The URL of the shard for one more fan of `eventId`, or undefined when none can take it.
   * `unreachable` (a shardAddress): a shard this fan could not connect to (a rejoin after a
   * connect that failed before its welcome), left out of this pick only. A shard killed a
   * moment ago stays in the registry until its entry expires (~6 s) and looks as if it had room;
   * the fans that found it dead say so here. Nothing about it is remembered: a hostile client
   * naming shards can only steer its own placement, never take a shard from anyone else.
   */
  async pick(eventId: string, unreachable?: string): Promise<string | undefined> {
    if (this.#now() - this.#readAt >= REGISTRY_CACHE_MS) {
      this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
      await this.#refreshing;
    }
    const shards =
      unreachable === undefined
        ? this.#shards
        : this.#shards.filter((s) => shardAddress(s.url) !== unreachable);
    if (this.#reservedAway(eventId, shards)) return undefined;
    const shard = assignShard(shards, eventId);
    if (!shard) return undefined;
    count(shard, eventId);
    this.#assigned.push({ at: this.#now(), shardId: shard.id, eventId });
    return shard.url;
  }

  /**
   * Whether every free place (95 % of each serving shard, less its fans) is held by other
   * events' reservations that their fans do not fill yet. O(shards x reservations), only when a
   * reservation exists.
   */
  #reservedAway(eventId: string, shards: readonly ShardState[]): boolean {
    if (this.#reservations.length === 0) return false;
    let free = 0;
    for (const s of shards) {
      if (!s.draining)
        free += Math.max(0, Math.floor(s.capacity * (1 - ASSIGNMENT_HEADROOM)) - s.fans);
    }
    return free <= reservedByOthers(eventId, this.#reservations, this.#shards);
  }

  async #refresh(): Promise<void> {
    try {
      const [shards, reservations] = await Promise.all([
        this.#registry.live(),
        // A failed read of the reservations keeps the last ones (the shards decide below).
        this.#registry.reservations().catch(() => this.#reservations),
      ]);
      this.#reservations = reservations;
      this.#readAt = this.#now();
      const since = this.#readAt - ASSIGNMENT_MEMORY_MS;
      while (this.#assigned.length > 0 && this.#assigned[0]!.at < since) this.#assigned.shift();
      const byId = new Map(shards.map((s) => [s.id, s]));
      for (const a of this.#assigned) {
        const shard = byId.get(a.shardId);
        // Counted only if the shard may not have seen this fan yet when it reported.
        if (shard && a.at > shard.at - CONNECT_SLACK_MS) count(shard, a.eventId);
      }
      this.#shards = shards;
    } catch (err) {
      // Keep the last list; try again on the next join after the cache time.
      this.#readAt = this.#now();
      this.#logger.warn('shard registry unreachable; assigning from the last known shards', {
        err,
      });
    }
  }
}
