// Which gateway shards are alive, where fans should connect to them, and how full they are.
// Shards heartbeat their state with a TTL; the API reads the live set to assign fans. A shard
// that dies simply stops heartbeating and ages out. Implementations: MemoryShardRegistry
// (embedded) and RedisShardRegistry; both run shard-registry.contract.ts.

import type { ShardState } from '@fanfare/protocol';

/** A shard's entry: defined in @fanfare/protocol (the console reads it too). */
export type { ShardState };

export interface ShardRegistry {
  /** Records `state` as live for `ttlMs`; the shard calls this about every ttl/3. */
  heartbeat(state: ShardState, ttlMs: number): Promise<void>;
  /** Removes a shard at once (graceful shutdown). */
  remove(shardId: string): Promise<void>;
  /** Every shard whose last heartbeat has not expired, in id order. */
  live(): Promise<ShardState[]>;
  close(): Promise<void>;
}
