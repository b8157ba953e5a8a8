import { ManualClock } from './manual-clock.js';
import { MemoryShardRegistry } from './shard-registry-memory.js';
import { shardRegistryContract } from './shard-registry.contract.js';

shardRegistryContract('MemoryShardRegistry', async () => {
  const clock = new ManualClock();
  const registry = new MemoryShardRegistry(clock);
  return {
    registry,
    peer: registry,
    elapse: async (ms) => clock.advance(ms),
    shortTtlMs: 300,
    cleanup: () => registry.close(),
  };
});
