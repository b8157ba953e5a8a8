import { freePort } from '@fanfare/testkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { PARTY_TTL_S, RedisPartyStore } from './party-store-redis.js';
import { partyStoreContract, samplePartyRecord } from './party-store.contract.js';
import { StateUnavailableError } from './state-unavailable.js';
import { connectTestRedis, deletePrefix, describeWithRedis, runPrefix } from './testing-redis.js';

await describeWithRedis('RedisPartyStore on Redis', () => {
  partyStoreContract('RedisPartyStore', async () => {
    const redis = (await connectTestRedis())!;
    const other = (await connectTestRedis())!;
    const prefix = runPrefix('parties');
    return {
      store: new RedisPartyStore(redis, prefix),
      peer: new RedisPartyStore(other, prefix),
      cleanup: async () => {
        await deletePrefix(redis, prefix);
        redis.disconnect();
        other.disconnect();
      },
    };
  });

  /** A store on a fresh prefix, the raw connection, and a cleanup. */
  const withStore = async (
    body: (store: RedisPartyStore, redis: Redis, base: string) => Promise<void>,
  ) => {
    const redis = (await connectTestRedis())!;
    const prefix = runPrefix('parties');
    try {
      await body(new RedisPartyStore(redis, prefix), redis, `${prefix}:party:{ev-1}`);
    } finally {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  };

  describe('RedisPartyStore keys', () => {
    it('keeps a hash per party and string indexes for code and users, under the event tag', async () => {
      await withStore(async (store, redis, base) => {
        const party = samplePartyRecord({ eventId: 'ev-1', memberIds: ['u-host', 'u-2'] });
        await store.create(party);
        const hash = await redis.hgetall(`${base}:p:party-1`);
        expect(hash.version).toBe('1');
        expect(JSON.parse(hash.body!)).toEqual(party);
        expect(await redis.get(`${base}:c:ABCD2345`)).toBe('party-1');
        expect(await redis.get(`${base}:u:u-host`)).toBe('party-1');
        expect(await redis.get(`${base}:u:u-2`)).toBe('party-1');
      });
    });

    it('gives every key a TTL of at most PARTY_TTL_S', async () => {
      await withStore(async (store, redis, base) => {
        await store.create(samplePartyRecord({ eventId: 'ev-1', memberIds: ['u-host', 'u-2'] }));
        for (const key of [`${base}:p:party-1`, `${base}:c:ABCD2345`, `${base}:u:u-2`]) {
          const ttl = await redis.ttl(key);
          expect(ttl).toBeGreaterThan(PARTY_TTL_S - 60);
          expect(ttl).toBeLessThanOrEqual(PARTY_TTL_S);
        }
      });
    });

    it('refreshes the TTL of the document, the code and staying members on a replace', async () => {
      await withStore(async (store, redis, base) => {
        const party = samplePartyRecord({ eventId: 'ev-1', memberIds: ['u-host', 'u-2'] });
        await store.create(party);
        const keys = [`${base}:p:party-1`, `${base}:c:ABCD2345`, `${base}:u:u-host`];
        for (const key of keys) await redis.expire(key, 100);
        expect(await store.replace({ ...party, version: 2 }, 1)).toBe(true);
        for (const key of keys) expect(await redis.ttl(key)).toBeGreaterThan(PARTY_TTL_S - 60);
      });
    });

    it('reads the user index of fans joining in one turn with one MGET, each their own party', async () => {
      await withStore(async (store, redis, base) => {
        await store.create(samplePartyRecord({ eventId: 'ev-1', memberIds: ['u-host', 'u-2'] }));
        const monitor = await redis.duplicate().monitor();
        const seen: string[][] = [];
        const sentinel = `${base}:sentinel`;
        const sentinelSeen = new Promise<void>((resolve) => {
          monitor.on('monitor', (_time: string, args: string[]) => {
            if (!args.some((a) => a.startsWith(base))) return; // other tests share this Redis
            if (args.includes(sentinel)) resolve();
            else seen.push(args.map((a) => a.toLowerCase()));
          });
        });
        const found = await Promise.all(
          ['u-host', 'u-out', 'u-2'].map((id) => store.ofUser('ev-1', id)),
        );
        expect(found).toEqual(['party-1', undefined, 'party-1']);
        await redis.get(sentinel); // MONITOR reports in server order: everything before is seen
        await sentinelSeen;
        monitor.disconnect();
        const userReads = seen.filter((args) => args.some((a) => a.includes(':u:')));
        expect(userReads).toEqual([
          ['mget', ...['u-host', 'u-out', 'u-2'].map((id) => `${base}:u:${id}`.toLowerCase())],
        ]);
      });
    });

    it('leaves no key behind once a party is removed', async () => {
      await withStore(async (store, redis, base) => {
        await store.create(samplePartyRecord({ eventId: 'ev-1', memberIds: ['u-host', 'u-2'] }));
        expect(await store.remove('ev-1', 'party-1', 1)).toBe(true);
        const [, keys] = await redis.scan('0', 'MATCH', `${base}:*`, 'COUNT', 100);
        expect(keys).toEqual([]);
      });
    });
  });

  describe('RedisPartyStore without Redis', () => {
    it('rejects every call with StateUnavailableError', async () => {
      // Nothing listens on a fresh free port: the connection is refused at once.
      const redis = new Redis(await freePort(), '127.0.0.1', {
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined); // the rejections below are what is tested
      const store = new RedisPartyStore(redis, 'nowhere');
      const party = samplePartyRecord();
      await expect(store.create(party)).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.get('ev-a', 'party-1')).rejects.toMatchObject({
        code: 'state_unavailable',
      });
      await expect(store.byCode('ev-a', 'ABCD2345')).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.ofUser('ev-a', 'u-host')).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.version('ev-a', 'party-1')).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(store.replace({ ...party, version: 2 }, 1)).rejects.toBeInstanceOf(
        StateUnavailableError,
      );
      await expect(store.remove('ev-a', 'party-1', 1)).rejects.toBeInstanceOf(
        StateUnavailableError,
      );
      redis.disconnect();
    });
  });
});
