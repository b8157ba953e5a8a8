// Real Redis for tests: the machine's server (REDIS_URL or 127.0.0.1:6379), a key prefix per
// run. Missing Redis fails the test under CI=true and skips it elsewhere.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '@fanfare/testkit';
import { Redis } from 'ioredis';
import { describe } from 'vitest';

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

/** Whether Redis answers (one probe, then disconnected); throws under CI=true when it does not. */
export async function redisAvailable(): Promise<boolean> {
  const probe = await connectTestRedis();
  probe?.disconnect();
  return probe !== undefined;
}

/**
 * Registers `suite` under `name` when Redis answers. Otherwise registers it skipped, its name
 * saying why, so the run's report shows what did not run; under CI=true a missing Redis fails
 * the file instead (see connectTestRedis). Await it at the top of a test file.
 */
export async function describeWithRedis(name: string, suite: () => void): Promise<void> {
  if (await redisAvailable()) {
    describe(name, suite);
  } else {
    describe.skip(`${name} (skipped: no Redis at ${redisUrl()}; set REDIS_URL)`, suite);
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

export interface TestRedisServer {
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL) and resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  restart(): Promise<void>;
  /** Kills it. Idempotent. */
  dispose(): Promise<void>;
}

/** Whether `redis-server` can be run; throws under CI=true when it cannot. */
export function requireRedisServerBinary(): boolean {
  const ok = spawnSync('redis-server', ['--version']).status === 0;
  if (!ok && process.env.CI === 'true') throw new Error('redis-server is required under CI');
  return ok;
}

/** A private redis-server on a free port, for tests that stop and restart it. */
export async function startRedisServer(): Promise<TestRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => undefined); // refused while the server starts: expected
      const up = await probe.connect().then(
        () => probe.ping().then(() => true),
        () => false,
      );
      probe.disconnect();
      if (up) return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // nothing to wait on: poll the port
    }
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: launch, dispose: kill };
}
