// Real Redis for tests: the machine's server (REDIS_URL or 127.0.0.1:6379), a key prefix per
// run. Missing Redis fails the test under CI=true and skips it elsewhere.

import { Redis } from 'ioredis';

export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A connection, or undefined (skip) when Redis is unreachable outside CI. */
export async function connectTestRedis(): Promise<Redis | undefined> {
  const redis = new Redis(redisUrl(), {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    if (process.env.CI === 'true')
      throw new Error(`Redis at ${redisUrl()} is required under CI`, { cause: err });
    return undefined;
  }
}

/** A prefix no other run uses. */
export function runPrefix(name: string): string {
  return `test:${name}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
