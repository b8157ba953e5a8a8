// Failure tests on real processes: the API and gateway shards (cluster/src/processes.ts), a
// private nats-server the tests may kill, the machine's Redis under a prefix of their own. Fans
// use the SDK (join through the API, reconnect, resume by seq, idempotent resends); every fan
// must end with every message exactly once and in order.

import {
  connectTestRedis,
  deletePrefix,
  requireNatsServerBinary,
  runPrefix,
  startNatsServer,
  type TestNatsServer,
} from '@fanfare/fanout/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, type ClusterOptions } from '../src/index.js';
import { chatThrough, connectFans, describeResult, type LoadFan } from './chat-load.js';

const redisProbe = await connectTestRedis();
redisProbe?.disconnect();
const runnable = requireNatsServerBinary() && redisProbe !== undefined;

const FANS = 300;
const SENDERS = 100;
const PER_SENDER = 20;
/** Small shards, so 300 fans of one event must spread over three (104, 104, 92). */
const SHARD_ENV = {
  SHARD_CAPACITY: '110',
  CHAT_RATE_PER_SECOND: '50',
  CHAT_BURST: '50',
  READINESS_GRACE_MS: '0',
};

describe.skipIf(!runnable)('failures under load', () => {
  let nats: TestNatsServer | undefined;
  let cluster: Cluster | undefined;
  let fans: LoadFan[] = [];
  let prefix = '';

  async function start(shards: number): Promise<Cluster> {
    prefix = runPrefix('fail').replace(/:/g, '-');
    nats = await startNatsServer();
    const options: ClusterOptions = {
      shards,
      natsUrl: nats.url,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix,
      shardEnv: SHARD_ENV,
      output: (name, line) => {
        if (/"level":"error"/.test(line)) process.stdout.write(`[${name}] ${line}\n`);
      },
    };
    cluster = await Cluster.start(options);
    return cluster;
  }

  afterEach(async () => {
    for (const fan of fans) fan.client.close();
    fans = [];
    await cluster?.stop();
    await nats?.dispose();
    const redis = await connectTestRedis();
    if (redis) {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  }, 60_000);

  it('survives kill -9 of one of three shards', async () => {
    const c = await start(3);
    fans = await connectFans(c.apiUrl, FANS);
    // Capacity is planned for the loss of a shard: a warm spare joins before the crash, so the
    // survivors can hold everyone (a full shard takes no new fans).
    await c.startShard('g4', 4);
    const victim = c.shards[0]!;
    const result = await chatThrough(fans, SENDERS, PER_SENDER, async () => {
      victim.process.kill('SIGKILL');
    });
    console.log(describeResult('shard crash', result));
    expect(result.fansPerShard).toHaveLength(3);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
    expect(result.resumes.length).toBeGreaterThanOrEqual(90);
  }, 120_000);

  it('survives a NATS server restart mid-stream', async () => {
    const c = await start(3);
    fans = await connectFans(c.apiUrl, FANS);
    const result = await chatThrough(fans, SENDERS, PER_SENDER, async () => {
      await nats!.kill();
      await nats!.restart();
    });
    console.log(describeResult('NATS restart', result));
    expect(result.fansPerShard).toHaveLength(3);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
  }, 120_000);

  it('loses nothing in a rolling restart of every shard', async () => {
    const c = await start(3);
    fans = await connectFans(c.apiUrl, FANS);
    await c.startShard('g4', 4); // the spare that takes the first shard's fans
    const result = await chatThrough(fans, SENDERS, PER_SENDER, async () => {
      for (const [i, name] of ['g1', 'g2', 'g3'].entries()) {
        const shard = c.shards.find((s) => s.name === name)!;
        shard.process.kill('SIGTERM'); // the graceful path: drain, 4000, leave the registry
        await shard.exited;
        await c.startShard(name, i + 1);
      }
    });
    console.log(describeResult('rolling restart', result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
    expect(result.resumes.length).toBeGreaterThanOrEqual(FANS - 100);
  }, 180_000);
});
