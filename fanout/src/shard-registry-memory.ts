// The embedded mode's registry: one process, one map, the same TTL rule as Redis.

import { systemClock, type Clock } from './clock.js';
import type {
  CapacityReservation,
  ReplicaAssignments,
  ShardRegistry,
  ShardState,
} from './shard-registry.js';

/** Values by id, each with the ms its TTL ends at. */
type Held<T> = Map<string, { value: T; expiresAt: number }>;

export class MemoryShardRegistry implements ShardRegistry {
  #clock: Clock;
  #shards: Held<ShardState> = new Map();
  #reservations: Held<CapacityReservation> = new Map();
  #assignments: Held<ReplicaAssignments> = new Map();

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  async heartbeat(state: ShardState, ttlMs: number): Promise<void> {
    this.#hold(this.#shards, state.id, state, ttlMs);
  }

  async remove(shardId: string): Promise<void> {
    this.#shards.delete(shardId);
  }

  async live(): Promise<ShardState[]> {
    return this.#unexpired(this.#shards);
  }

  async reserve(reservation: CapacityReservation, ttlMs: number): Promise<void> {
    this.#hold(this.#reservations, reservation.eventId, reservation, ttlMs);
  }

  async reservations(): Promise<CapacityReservation[]> {
    return this.#unexpired(this.#reservations);
  }

  async shareAssignments(assignments: ReplicaAssignments, ttlMs: number): Promise<void> {
    this.#hold(this.#assignments, assignments.replicaId, assignments, ttlMs);
  }

  async assignments(): Promise<ReplicaAssignments[]> {
    return this.#unexpired(this.#assignments);
  }

  async close(): Promise<void> {
    this.#shards.clear();
    this.#reservations.clear();
    this.#assignments.clear();
  }

  /** Holds a copy of `value` (as Redis keeps one: the caller's object may change after). */
  #hold<T>(held: Held<T>, id: string, value: T, ttlMs: number): void {
    held.set(id, { value: structuredClone(value), expiresAt: this.#clock.now() + ttlMs });
  }

  /** Copies of the values not expired, in id order; the expired ones are dropped. */
  #unexpired<T>(held: Held<T>): T[] {
    const now = this.#clock.now();
    for (const [id, entry] of held) if (entry.expiresAt <= now) held.delete(id);
    return [...held.keys()]
      .sort((a, b) => a.localeCompare(b))
      .map((id) => structuredClone(held.get(id)!.value));
  }
}
