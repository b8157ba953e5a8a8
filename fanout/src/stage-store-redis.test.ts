import { freePort } from '@fanfare/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisStageStore } from './stage-store-redis.js';
import { sampleStage, stageStoreContract } from './stage-store.contract.js';
import { StateUnavailableError } from './state-unavailable.js';
import { connectTestRedis, deletePrefix, describeWithRedis, runPrefix } from './testing-redis.js';

await describeWithRedis('RedisStageStore on Redis', () => {
  stageStoreContract('RedisStageStore', async () => {
    const redis = (await connectTestRedis())!;
    const other = (await connectTestRedis())!;
    const prefix = runPrefix('stages');
    return {
      store: new RedisStageStore(redis, prefix),
      peer: new RedisStageStore(other, prefix),
      cleanup: async () => {
        await deletePrefix(redis, prefix);
        redis.disconnect();
        other.disconnect();
      },
    };
  });

  describe('RedisStageStore keys', () => {
    it('keeps one hash per event holding the version and the encoded stage', async () => {
      const redis = (await connectTestRedis())!;
      const prefix = runPrefix('stages');
      try {
        await new RedisStageStore(redis, prefix).put('ev-1', sampleStage(2));
        const hash = await redis.hgetall(`${prefix}:stage:{ev-1}`);
        expect(hash.version).toBe('2');
        expect(JSON.parse(hash.body!)).toEqual(sampleStage(2));
      } finally {
        await deletePrefix(redis, prefix);
        redis.disconnect();
      }
    });
  });

  describe('RedisStageStore without Redis', () => {
    it('rejects every call with StateUnavailableError', async () => {
      // Nothing listens on a fresh free port: the connection is refused at once.
      const redis = new Redis(await freePort(), '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined); // the rejections below are what is tested
      const store = new RedisStageStore(redis, 'nowhere');
      await expect(store.put('ev', sampleStage(1))).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.get('ev')).rejects.toMatchObject({ code: 'state_unavailable' });
      await expect(store.version('ev')).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.remove('ev')).rejects.toBeInstanceOf(StateUnavailableError);
      redis.disconnect();
    });
  });
});
