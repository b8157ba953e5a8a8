import { describe, expect, it } from 'vitest';
import { StateUnavailableError } from './state-unavailable.js';
import { RedisSanctionStore } from './sanction-store-redis.js';
import { sanctionStoreContract } from './sanction-store.contract.js';
import { connectTestRedis, deletePrefix, describeWithRedis, runPrefix } from './testing-redis.js';
import { Redis } from 'ioredis';
import { freePort } from '@fanfare/testkit';

await describeWithRedis('RedisSanctionStore on Redis', () => {
  sanctionStoreContract('RedisSanctionStore', async () => {
    const redis = (await connectTestRedis())!;
    const other = (await connectTestRedis())!;
    const prefix = runPrefix('sanctions');
    return {
      store: new RedisSanctionStore(redis, prefix),
      peer: new RedisSanctionStore(other, prefix),
      cleanup: async () => {
        await deletePrefix(redis, prefix);
        redis.disconnect();
        other.disconnect();
      },
    };
  });

  describe('RedisSanctionStore without Redis', () => {
    it('rejects every call with StateUnavailableError', async () => {
      // Nothing listens on a fresh free port: the connection is refused at once.
      const redis = new Redis(await freePort(), '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined); // the rejections below are what is tested
      const store = new RedisSanctionStore(redis, 'nowhere');
      const at = Date.now();
      await expect(
        store.impose('ev', { userId: 'u', kind: 'ban', until: null, by: 'm', at }),
      ).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.lift('ev', 'u')).rejects.toMatchObject({ code: 'state_unavailable' });
      await expect(store.of('ev', 'u', at)).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.version('ev')).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.active('ev', at)).rejects.toBeInstanceOf(StateUnavailableError);
      redis.disconnect();
    });
  });
});
