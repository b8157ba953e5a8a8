// Which gateway shards are alive, where fans should connect to them, and how full they are.
// Shards heartbeat their state with a TTL; the API reads the live set to assign fans. A shard
// that dies simply stops heartbeating and ages out. Implementations: MemoryShardRegistry
// (embedded) and RedisShardRegistry; both run shard-registry.contract.ts.

export interface ShardState {
  /** Stable shard id (SHARD_ID). */
  id: string;
  /** The WebSocket URL fans use to reach this shard. */
  url: string;
  /** Most fans this shard should hold (from the capacity plan). */
  capacity: number;
  /** Fans connected now. */
  fans: number;
  /** Fans per event, for events with at least one fan here. */
  events: Record<string, number>;
  /** A draining shard takes no new fans. */
  draining: boolean;
  /** When the shard took these figures, ms since the epoch (its clock). */
  at: number;
}

export interface ShardRegistry {
  /** Records `state` as live for `ttlMs`; the shard calls this about every ttl/3. */
  heartbeat(state: ShardState, ttlMs: number): Promise<void>;
  /** Removes a shard at once (graceful shutdown). */
  remove(shardId: string): Promise<void>;
  /** Every shard whose last heartbeat has not expired, in id order. */
  live(): Promise<ShardState[]>;
  close(): Promise<void>;
}
