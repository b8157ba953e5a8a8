// Picks the gateway shard for each join from the shard registry. The live shard list is cached
// briefly (a join storm must not become a Redis storm) and the fans this replica assigned that
// have not connected yet are counted on top of the shards' own counts, so a burst between
// refreshes still fills shards in turn. When the registry is unreachable the last list keeps
// serving, so a Redis outage does not stop joins.
//
// Which assignments have not connected yet is known exactly: each join's token (and the join's
// resume ticket) carries its placement, `plc` = this replica's id and the assignment second;
// each shard counts the fans it admits per placement over the last ADMITTED_WINDOW_S and reports
// the counts in its heartbeat (`admitted`). An assignment second's fans still coming are those
// assigned less those admitted, however late they connect (tokens fetched long before, a 503's
// Retry-After waited out), and a fan that connected is never counted twice. Assignments older
// than PENDING_WINDOW_S are forgotten (a fan connecting later is in the shard's `fans` at its
// next heartbeat). Replicas share their assignments per shard and second through the registry
// at each read (`shareAssignments`), so each also counts the others' fans still coming the same
// way, missing only what another placed since its last read (docs/architecture.md, placement).
//
// Capacity reservations (pre-warm, prewarm-shards.ts) are enforced here: a fan of one event is
// placed only while the cluster's free room exceeds what other events reserved and have not
// filled yet, so a storm of another event cannot take a pre-warmed event's room. The event's own
// reservation is its to fill; an event without one gets only the unreserved room.

import { randomBytes } from 'node:crypto';
import { ADMITTED_WINDOW_S, type Placement } from '@fanfare/protocol';
import {
  ASSIGNMENT_HEADROOM,
  assignShard,
  type CapacityReservation,
  type ReplicaAssignments,
  type ShardRegistry,
  type ShardState,
} from '@fanfare/fanout';
import type { Logger } from '@fanfare/fanout';
import { shardAddress } from './join-request.js';
import { reservedByOthers } from './prewarm-shards.js';

/** How long a read of the registry is reused, ms. */
export const REGISTRY_CACHE_MS = 250;
/**
 * For a shard that reports no `admitted` (older than the field): a fan assigned this long
 * before the shard's figures were taken may not have connected yet when they were, ms; such
 * assignments are counted on top of the shard's own count.
 */
export const CONNECT_SLACK_MS = 250;
/**
 * How long an assignment is counted as still coming unless its shard reports it admitted,
 * seconds: within the shards' ADMITTED_WINDOW_S, less 10 s for clocks that differ.
 */
export const PENDING_WINDOW_S = ADMITTED_WINDOW_S - 10;

/** Where a join goes: the shard's URL and the placement its token carries. */
export interface GatewayChoice {
  url: string;
  placement: Placement;
}

/** This replica's assignments to one shard in one second. */
interface SecondAssigned {
  fans: number;
  events: Map<string, number>;
}

function count(shard: ShardState, eventId: string): void {
  shard.fans++;
  shard.events[eventId] = (shard.events[eventId] ?? 0) + 1;
}

/** A fresh replica id: 8 characters of [A-Za-z0-9_-] (PLACEMENT_REPLICA_ID). */
export function newReplicaId(): string {
  return randomBytes(6).toString('base64url');
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
  /** This replica's assignments of the last PENDING_WINDOW_S: shard id -> second -> fans. */
  #assigned = new Map<string, Map<number, SecondAssigned>>();
  /** The other replicas' assignments as last read (the last read while down). */
  #others: readonly ReplicaAssignments[] = [];
  /** This replica's id in placements (`plc.r`). */
  readonly replicaId: string;

  constructor(
    registry: ShardRegistry,
    logger: Logger,
    now: () => number = Date.now,
    replicaId: string = newReplicaId(),
  ) {
    this.#registry = registry;
    this.#logger = logger;
    this.#now = now;
    this.replicaId = replicaId;
  }

  /**
   * The URL of the shard for one more fan of `eventId`, or undefined when none can take it.
   * `unreachable` (a shardAddress): a shard this fan could not connect to (a rejoin after a
   * connect that failed before its welcome), left out of this pick only. A shard killed a
   * moment ago stays in the registry until its entry expires (~6 s) and looks as if it had room;
   * the fans that found it dead say so here. Nothing about it is remembered: a hostile client
   * naming shards can only steer its own placement, never take a shard from anyone else.
   */
  async pick(eventId: string, unreachable?: string): Promise<GatewayChoice | undefined> {
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
    const second = Math.floor(this.#now() / 1000);
    this.#remember(shard.id, second, eventId);
    return { url: shard.url, placement: { r: this.replicaId, s: second } };
  }

  /** One fan of `eventId` placed on `shardId` in `second`: still coming until the shard admits it. */
  #remember(shardId: string, second: number, eventId: string): void {
    let bySecond = this.#assigned.get(shardId);
    if (bySecond === undefined) this.#assigned.set(shardId, (bySecond = new Map()));
    let here = bySecond.get(second);
    if (here === undefined) bySecond.set(second, (here = { fans: 0, events: new Map() }));
    here.fans++;
    here.events.set(eventId, (here.events.get(eventId) ?? 0) + 1);
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

  /**
   * Adds to `shard` (a fresh read) this replica's fans assigned to it that it has not admitted:
   * per second, those assigned less those its `admitted` counts. Which events the admitted ones
   * were of is not reported, so the events' share of the rest is pro rata (it only steers which
   * shard an event fills first; the room counted is exact).
   */
  #countComing(shard: ShardState, bySecond: Map<number, SecondAssigned>): void {
    const admitted = shard.admitted === undefined ? undefined : shard.admitted[this.replicaId];
    for (const [second, assigned] of bySecond) {
      let coming: number;
      if (shard.admitted !== undefined) {
        coming = Math.max(0, assigned.fans - (admitted?.[String(second)] ?? 0));
      } else {
        // An older shard: counted while the second ends after its figures were taken, less slack.
        coming = (second + 1) * 1000 > shard.at - CONNECT_SLACK_MS ? assigned.fans : 0;
      }
      if (coming === 0) continue;
      shard.fans += coming;
      for (const [eventId, fans] of assigned.events) {
        shard.events[eventId] =
          (shard.events[eventId] ?? 0) + Math.ceil((fans * coming) / assigned.fans);
      }
    }
  }

  /**
   * Adds the other replicas' fans still coming: per shard and second, what each placed less what
   * the shard reports admitted under its id. Only for shards that report admissions; events not
   * counted (only the room is). Their assignments since their last refresh are not seen yet:
   * at most one cache period of each other replica's joins.
   */
  #countOthersComing(shards: readonly ShardState[], others: readonly ReplicaAssignments[]): void {
    const byId = new Map(shards.map((s) => [s.id, s]));
    const oldest = Math.floor(this.#now() / 1000) - PENDING_WINDOW_S;
    for (const other of others) {
      if (other.replicaId === this.replicaId) continue;
      for (const [shardId, bySecond] of Object.entries(other.assigned)) {
        const shard = byId.get(shardId);
        if (shard?.admitted === undefined) continue;
        const admitted = shard.admitted[other.replicaId];
        for (const [second, fans] of Object.entries(bySecond)) {
          if (Number(second) < oldest) continue;
          shard.fans += Math.max(0, fans - (admitted?.[second] ?? 0));
        }
      }
    }
  }

  /** This replica's assignments as the other replicas read them. */
  #shareable(): ReplicaAssignments {
    const assigned: ReplicaAssignments['assigned'] = {};
    for (const [shardId, bySecond] of this.#assigned) {
      const out: Record<string, number> = (assigned[shardId] = {});
      for (const [second, a] of bySecond) out[String(second)] = a.fans;
    }
    return { replicaId: this.replicaId, assigned };
  }

  #forgetOld(): void {
    const oldest = Math.floor(this.#now() / 1000) - PENDING_WINDOW_S;
    for (const [shardId, bySecond] of this.#assigned) {
      for (const second of bySecond.keys()) if (second < oldest) bySecond.delete(second);
      if (bySecond.size === 0) this.#assigned.delete(shardId);
    }
  }

  async #refresh(): Promise<void> {
    try {
      this.#forgetOld();
      const [shards, reservations, others] = await Promise.all([
        this.#registry.live(),
        // A failed read of the reservations keeps the last ones (the shards decide below).
        this.#registry.reservations().catch(() => this.#reservations),
        this.#registry.assignments().catch(() => this.#others),
        // Ours for the other replicas, as of this read. A failed write: they miss ours until
        // the next one succeeds (the shards' own counts still catch up).
        this.#registry
          .shareAssignments(this.#shareable(), PENDING_WINDOW_S * 1000)
          .catch(() => undefined),
      ]);
      this.#reservations = reservations;
      this.#others = others;
      this.#readAt = this.#now();
      for (const shard of shards) {
        const bySecond = this.#assigned.get(shard.id);
        if (bySecond !== undefined) this.#countComing(shard, bySecond);
      }
      this.#countOthersComing(shards, others);
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
