// The producer's run of a show in the distributed mode: the API on Postgres, Redis and NATS
// (JetStream), two shard processes, and the two fans on different shards. The poll's votes are
// counted once across shards, both fans see the tallies and the result, and a deleted message
// disappears on both shards and for a late joiner.

import { createTestDatabase, requirePostgres, type TestDatabase } from '@fanfare/db/testing';
import {
  connectTestRedis,
  deletePrefix,
  natsUrl,
  redisUrl,
  requireNats,
  runPrefix,
} from '@fanfare/fanout/testing';
import { runProducerFlow, type FanClient } from '@fanfare/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/index.js';

const redis = await connectTestRedis();
const runnable = redis !== undefined && (await requireNats()) && (await requirePostgres());

describe.skipIf(!runnable)('a producer runs a show across two shards', () => {
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;
  let fans: FanClient[] = [];
  const prefix = runPrefix('flow').replace(/:/g, '-');

  afterAll(async () => {
    for (const fan of fans) fan.close();
    await cluster?.stop();
    await database?.drop();
    if (redis) {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  }, 60_000);

  it('polls, tallies and deletes on both shards, with the result persisted in Postgres', async () => {
    database = await createTestDatabase();
    cluster = await Cluster.start({
      shards: 2,
      natsUrl: natsUrl(),
      redisUrl: redisUrl(),
      databaseUrl: database.url,
      prefix,
      output: () => undefined,
    });
    const shards = cluster.shards.map((s) => `ws://127.0.0.1:${s.port}/ws`);
    const run = await runProducerFlow({
      apiUrl: cluster.apiUrl,
      producerToken: await cluster.staffToken('producer'),
      eventId: 'cluster-show',
      shards,
    });
    fans = run.fans;
    expect(run.result).toEqual({ counts: [1, 1], total: 2 });
    expect(run.talliesSeen).toEqual([2, 2]);
    expect(run.closedStages.map((p) => p.result)).toEqual([
      { counts: [1, 1], total: 2 },
      { counts: [1, 1], total: 2 },
    ]);
    expect(run.lateJoinerChat).toEqual(['keep me']);
    // A hang limit: the API and two shards start one after the other as tsx processes, each
    // within STARTUP_LIMIT_MS (60 s), and such a start took over 30 s on a loaded machine.
  }, 240_000);
});
