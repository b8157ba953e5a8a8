// Redis goes down mid-stream: chat goes on (nothing on its path needs Redis), the API keeps
// placing fans from the last shard list it read, and the registry heals when Redis returns.
// (Bans and votes, which will answer an error code while Redis is down, arrive with moderation
// and polls.)

import { RedisShardRegistry } from '@fanfare/fanout';
import {
  requireNatsServerBinary,
  requireRedisServerBinary,
  runPrefix,
  startNatsServer,
  startRedisServer,
  type TestNatsServer,
  type TestRedisServer,
} from '@fanfare/fanout/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/index.js';
import { chatThrough, connectFans, describeResult, type LoadFan } from './chat-load.js';

const runnable = requireNatsServerBinary() && requireRedisServerBinary();

describe.skipIf(!runnable)('a Redis outage under load', () => {
  let nats: TestNatsServer | undefined;
  let redis: TestRedisServer | undefined;
  let cluster: Cluster | undefined;
  let fans: LoadFan[] = [];

  afterAll(async () => {
    for (const fan of fans) fan.client.close();
    await cluster?.stop();
    await nats?.dispose();
    await redis?.dispose();
  }, 60_000);

  it('keeps chat and joins going, and heals the registry when Redis returns', async () => {
    nats = await startNatsServer();
    redis = await startRedisServer();
    const prefix = runPrefix('redis').replace(/:/g, '-');
    cluster = await Cluster.start({
      shards: 3,
      natsUrl: nats.url,
      redisUrl: redis.url,
      prefix,
      shardEnv: { SHARD_CAPACITY: '110', CHAT_RATE_PER_SECOND: '50', CHAT_BURST: '50' },
      output: () => undefined,
    });
    fans = await connectFans(cluster.apiUrl, 300);
    let joinDuringOutage = 0;
    const result = await chatThrough(fans, 100, 20, async () => {
      await redis!.kill();
      const res = await fetch(`${cluster!.apiUrl}/v1/events/demo/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      joinDuringOutage = res.status;
    });
    console.log(describeResult('Redis outage', result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
    expect(joinDuringOutage).toBe(200);

    await redis.restart(); // empty: the shards must register again by themselves
    const client = new Redis(redis.url);
    const registry = new RedisShardRegistry(client, prefix);
    const deadline = Date.now() + 15_000;
    let live = 0;
    while (live < 3 && Date.now() < deadline) {
      live = (await registry.live()).length;
      if (live < 3) await new Promise((resolve) => setTimeout(resolve, 200)); // heartbeats are 2 s apart
    }
    client.disconnect();
    expect(live).toBe(3);
  }, 120_000);
});
