import { RedisShardRegistry } from './shard-registry-redis.js';
import { shardRegistryContract } from './shard-registry.contract.js';
import { connectTestRedis, deletePrefix, describeWithRedis, runPrefix } from './testing-redis.js';

await describeWithRedis('RedisShardRegistry on Redis', () => {
  shardRegistryContract('RedisShardRegistry', async () => {
    const redis = (await connectTestRedis())!;
    const prefix = runPrefix('shards');
    const registry = new RedisShardRegistry(redis, prefix);
    const peer = new RedisShardRegistry(redis, prefix);
    return {
      registry,
      peer,
      // Redis expires keys on its own clock: real time must pass. Bounded by the test timeout.
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      // Three round trips to Redis come between an entry's write and the read that must still
      // see it: 300 ms, ample on an idle machine, is a stall of the test process on a loaded one.
      shortTtlMs: 2_000,
      cleanup: async () => {
        await deletePrefix(redis, prefix);
        redis.disconnect();
      },
    };
  });
});
