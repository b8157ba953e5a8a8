import { Redis } from 'ioredis';
import { freePort } from '@fanfare/testkit';
import { describe, expect, it } from 'vitest';
import { RedisSeatStore } from './seat-store-redis.js';
import { seatStoreContract } from './seat-store.contract.js';
import { StateUnavailableError } from './state-unavailable.js';
import { connectTestRedis, deletePrefix, describeWithRedis, runPrefix } from './testing-redis.js';

await describeWithRedis('RedisSeatStore on Redis', () => {
  seatStoreContract('RedisSeatStore', async () => {
    const redis = (await connectTestRedis())!;
    const other = (await connectTestRedis())!;
    const prefix = runPrefix('seats');
    return {
      store: new RedisSeatStore(redis, prefix),
      peer: new RedisSeatStore(other, prefix),
      cleanup: async () => {
        await deletePrefix(redis, prefix);
        redis.disconnect();
        other.disconnect();
      },
    };
  });

  describe('RedisSeatStore without Redis', () => {
    it('rejects with StateUnavailableError', async () => {
      const redis = new Redis(await freePort(), '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined); // the rejections below are what is tested
      const store = new RedisSeatStore(redis, 'nowhere');
      await expect(store.claim('ev', 'a', 1, 0, 1)).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.held('ev', 0)).rejects.toMatchObject({ code: 'state_unavailable' });
      redis.disconnect();
    });
  });
});
