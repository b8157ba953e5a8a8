// Which gateway shards are alive, where fans should connect to them, and how full they are.
// Shards heartbeat their state with a TTL; the API reads the live set to assign fans. A shard
// that dies simply stops heartbeating and ages out. It also holds the pre-warm's capacity
// reservations: fans an event's plan expects, with a TTL, so another event's plan sees less room. Implementations: MemoryShardRegistry
// (embedded) and RedisShardRegistry; both run shard-registry.contract.ts.

import type { ShardState } from '@fanfare/protocol';

/** A shard's entry: defined in @fanfare/protocol (the console reads it too). */
export type { ShardState };

/** The room a pre-warmed event holds in the cluster: its expected peak fans. */
export interface CapacityReservation {
  eventId: string;
  fans: number;
  /**
   * What the pre-warm asked (the API's request body, JSON), kept with the reservation so every
   * API replica answers the event's `GET …/prewarm` alike. Opaque to the registry.
   */
  request?: Readonly<Record<string, unknown>>;
}

/**
 * One API replica's recent assignments, as it shares them with the other replicas: per shard
 * id, per assignment second (decimal string), the fans it placed there. With the shards'
 * `admitted` counts every replica knows every replica's fans still coming (gateway-picker.ts).
 */
export interface ReplicaAssignments {
  replicaId: string;
  assigned: Record<string, Record<string, number>>;
}

export interface ShardRegistry {
  /** Records `state` as live for `ttlMs`; the shard calls this about every ttl/3. */
  heartbeat(state: ShardState, ttlMs: number): Promise<void>;
  /** Removes a shard at once (graceful shutdown). */
  remove(shardId: string): Promise<void>;
  /** Every shard whose last heartbeat has not expired, in id order. */
  live(): Promise<ShardState[]>;
  /** Holds `reservation` for `ttlMs`, replacing the event's earlier one (never adding to it). */
  reserve(reservation: CapacityReservation, ttlMs: number): Promise<void>;
  /** Every reservation not expired, in event id order. */
  reservations(): Promise<CapacityReservation[]>;
  /** Holds one replica's assignments for `ttlMs`, replacing its earlier ones. */
  shareAssignments(assignments: ReplicaAssignments, ttlMs: number): Promise<void>;
  /** Every replica's assignments not expired, in replica id order. */
  assignments(): Promise<ReplicaAssignments[]>;
  close(): Promise<void>;
}
