import { freePort } from '@fanfare/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { StateUnavailableError } from './state-unavailable.js';
import { connectTestRedis, deletePrefix, describeWithRedis, runPrefix } from './testing-redis.js';
import { RedisVoteStore } from './vote-store-redis.js';
import { voteStoreContract } from './vote-store.contract.js';

await describeWithRedis('RedisVoteStore on Redis', () => {
  voteStoreContract('RedisVoteStore', async () => {
    const redis = (await connectTestRedis())!;
    const other = (await connectTestRedis())!;
    const prefix = runPrefix('votes');
    return {
      store: new RedisVoteStore(redis, prefix),
      peer: new RedisVoteStore(other, prefix),
      cleanup: async () => {
        await deletePrefix(redis, prefix);
        redis.disconnect();
        other.disconnect();
      },
    };
  });

  describe('RedisVoteStore without Redis', () => {
    it('rejects votes and reads with StateUnavailableError', async () => {
      const redis = new Redis(await freePort(), '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined); // the rejections below are what is tested
      const store = new RedisVoteStore(redis, 'nowhere');
      await expect(store.vote('e', 'p', 'u', 0)).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.tally('p')).rejects.toMatchObject({ code: 'state_unavailable' });
      await expect(store.close('p')).rejects.toBeInstanceOf(StateUnavailableError);
      redis.disconnect();
    });
  });
});
