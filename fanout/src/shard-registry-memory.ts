// The embedded mode's registry: one process, one map, the same TTL rule as Redis.

import { systemClock, type Clock } from './clock.js';
import type {
  CapacityReservation,
  ReplicaAssignments,
  ShardRegistry,
  ShardState,
} from './shard-registry.js';

export class MemoryShardRegistry implements ShardRegistry {
  #clock: Clock;
  #shards = new Map<string, { state: ShardState; expiresAt: number }>();
  #reservations = new Map<string, { reservation: CapacityReservation; expiresAt: number }>();
  #assignments = new Map<string, { assignments: ReplicaAssignments; expiresAt: number }>();

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  async heartbeat(state: ShardState, ttlMs: number): Promise<void> {
    this.#shards.set(state.id, {
      state: structuredClone(state),
      expiresAt: this.#clock.now() + ttlMs,
    });
  }

  async remove(shardId: string): Promise<void> {
    this.#shards.delete(shardId);
  }

  async live(): Promise<ShardState[]> {
    const now = this.#clock.now();
    const live: ShardState[] = [];
    for (const [id, entry] of this.#shards) {
      if (entry.expiresAt <= now) this.#shards.delete(id);
      else live.push(structuredClone(entry.state));
    }
    return live.sort((a, b) => a.id.localeCompare(b.id));
  }

  async reserve(reservation: CapacityReservation, ttlMs: number): Promise<void> {
    this.#reservations.set(reservation.eventId, {
      // A copy, as Redis keeps one: the caller's object may change after.
      reservation: structuredClone(reservation),
      expiresAt: this.#clock.now() + ttlMs,
    });
  }

  async reservations(): Promise<CapacityReservation[]> {
    const now = this.#clock.now();
    const held: CapacityReservation[] = [];
    for (const [id, entry] of this.#reservations) {
      if (entry.expiresAt <= now) this.#reservations.delete(id);
      else held.push(structuredClone(entry.reservation));
    }
    return held.sort((a, b) => a.eventId.localeCompare(b.eventId));
  }

  async shareAssignments(assignments: ReplicaAssignments, ttlMs: number): Promise<void> {
    this.#assignments.set(assignments.replicaId, {
      assignments: structuredClone(assignments),
      expiresAt: this.#clock.now() + ttlMs,
    });
  }

  async assignments(): Promise<ReplicaAssignments[]> {
    const now = this.#clock.now();
    const held: ReplicaAssignments[] = [];
    for (const [id, entry] of this.#assignments) {
      if (entry.expiresAt <= now) this.#assignments.delete(id);
      else held.push(structuredClone(entry.assignments));
    }
    return held.sort((a, b) => a.replicaId.localeCompare(b.replicaId));
  }

  async close(): Promise<void> {
    this.#shards.clear();
    this.#reservations.clear();
    this.#assignments.clear();
  }
}
