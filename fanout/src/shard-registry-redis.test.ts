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
      cleanup: async () => {
        await deletePrefix(redis, prefix);
        redis.disconnect();
      },
    };
  });
});
