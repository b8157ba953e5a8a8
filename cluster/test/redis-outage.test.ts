// Redis goes down mid-stream: chat goes on (nothing on its path needs Redis), the API keeps
// placing fans from the last shard list it read, a ban answers 503 `state_unavailable` and
// changes nothing, and when Redis returns the registry heals and a ban reaches every shard.
// (Votes will answer the same code while Redis is down once polls exist.)

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
import { Close } from '@fanfare/protocol';
import { connectFan, expectRefused } from '@fanfare/testkit';
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

  it('keeps chat and joins going, refuses bans meanwhile, and heals when Redis returns', async () => {
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
    const producer = await cluster.staffToken('producer');
    const ban = (userId: string) =>
      fetch(`${cluster!.apiUrl}/v1/events/demo/sanctions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${producer}` },
        body: JSON.stringify({ userId, kind: 'ban', reason: 'test' }),
      });
    let joinDuringOutage = 0;
    let banDuringOutage: { status: number; code?: string } = { status: 0 };
    const result = await chatThrough(fans, 100, 20, async () => {
      await redis!.kill();
      const res = await fetch(`${cluster!.apiUrl}/v1/events/demo/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      joinDuringOutage = res.status;
      const refused = await ban('someone');
      banDuringOutage = { status: refused.status, ...((await refused.json()) as { code: string }) };
    });
    console.log(describeResult('Redis outage', result));
    expect(result).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
    expect(joinDuringOutage).toBe(200);
    expect(banDuringOutage).toMatchObject({ status: 503, code: 'state_unavailable' });

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

    // Healed: one fan, a session on every shard, banned once through the API.
    const join = await fetch(`${cluster.apiUrl}/v1/events/demo/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Troll"}',
    });
    const { token, user } = (await join.json()) as { token: string; user: { id: string } };
    const sessions = await Promise.all(
      cluster.shards.map((s) => connectFan(`ws://127.0.0.1:${s.port}/ws?token=${token}`)),
    );
    for (const session of sessions) await session.next('welcome');
    const banned = Date.now();
    const res = await ban(user.id);
    expect(res.status).toBe(201);
    const closes = await Promise.all(sessions.map((session) => session.closed));
    console.log(`ban reached ${closes.length} shards in ${Date.now() - banned} ms`);
    expect(closes.map((c) => c.code)).toEqual(sessions.map(() => Close.banned));
    const refusal = await expectRefused(
      `ws://127.0.0.1:${cluster.shards[0]!.port}/ws?token=${token}`,
    );
    expect(refusal).toMatchObject({ status: 403, reason: 'banned' });
  }, 120_000);
});
