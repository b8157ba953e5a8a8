// The QoE roll-up on the real servers: two shards publish windows on core NATS, two API replicas
// (each with its own NATS connection, as two processes have) both receive every window and write
// to one Postgres database, and the event's QoE counts each window once.

import { openAdapters, QoeAggregator, systemClock, type Adapters } from '@fanfare/fanout';
import { natsUrl, requireNats, silentLogger } from '@fanfare/fanout/testing';
import { openDatabase } from '@fanfare/db';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@fanfare/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiMetrics, QoeRollup } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const servers = (await requireNats()) && (await requirePostgres());

describe.skipIf(!servers)('QoE roll-up over NATS into Postgres', () => {
  const prefix = `q${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const adapters: Adapters[] = [];
  const rollups: QoeRollup[] = [];
  const metrics = [new ApiMetrics(), new ApiMetrics()];
  let target: TestDatabase;
  let fx: Fixture;

  const connect = async (name: string) => {
    const a = await openAdapters({
      natsServers: [natsUrl()],
      redisUrl: undefined,
      prefix,
      name,
      logger: silentLogger,
    });
    adapters.push(a);
    return a;
  };

  beforeAll(async () => {
    target = await createTestDatabase();
    fx = await createFixture({ database: await openDatabase({ url: target.url, max: 4 }) });
    await fx.seedEvent('final', 'live');
  }, 90_000);
  afterAll(async () => {
    for (const r of rollups) await r.close();
    for (const a of adapters) await a.close();
    await fx?.close();
    await target?.drop();
  });

  it('stores each shard window once however many API replicas receive it', async () => {
    for (const m of metrics) {
      const api = await connect(`api-${rollups.length}`);
      const rollup = new QoeRollup({
        bus: api.bus,
        subject: api.subjects.qoe(),
        repo: fx.db.qoe,
        metrics: m.qoe,
        clock: systemClock,
        logger: silentLogger,
      });
      rollup.start();
      rollups.push(rollup);
    }
    const shards = await Promise.all(['g-a', 'g-b'].map(connect));
    // Both replicas' subscriptions have reached the server once a probe window reaches both.
    const probe = new QoeAggregator({
      bus: shards[0]!.bus,
      subject: shards[0]!.subjects.qoe(),
      shardId: 'probe',
      clock: systemClock,
    });
    const attempts = () =>
      metrics.map((m) =>
        m.qoe.startAttempts.get().then((v) => v.values.reduce((n, s) => n + s.value, 0)),
      );
    for (;;) {
      probe.record('probe', 'unknown', { type: 'qoe', kind: 'exit_before_start', tier: 'll-hls' });
      probe.flush(true);
      await shards[0]!.link!.nc.flush();
      await rollups[0]!.flush();
      const seen = await Promise.all(attempts());
      if (seen.every((n) => n > 0)) break;
    }
    const before = await Promise.all(attempts());

    shards.forEach((s, i) => {
      const agg = new QoeAggregator({
        bus: s.bus,
        subject: s.subjects.qoe(),
        shardId: `g-${i}`,
        clock: systemClock,
      });
      agg.record('final', 'DE', { type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 900 });
      agg.record('final', 'DE', { type: 'qoe', kind: 'playing', tier: 'll-hls', watchMs: 9_900 });
      agg.record('final', 'DE', {
        type: 'qoe',
        kind: 'rebuffer_end',
        tier: 'll-hls',
        durationMs: 100,
      });
      agg.close();
    });
    await Promise.all(shards.map((s) => s.link!.nc.flush()));
    // Each replica has counted both shards' windows (two starts more) before they are written.
    for (;;) {
      const now = await Promise.all(attempts());
      if (now.every((n, i) => n === before[i]! + 2)) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(rollups.map((r) => r.flush()));

    const token = await fx.staffToken('sre');
    const body = (await (await fx.call('GET', '/v1/events/final/qoe', token)).json()) as {
      total: { starts: number; watchSeconds: number; rebufferingRatio: number };
      byCountry: { country: string }[];
    };
    expect(body.total.starts).toBe(2);
    expect(body.total.watchSeconds).toBeCloseTo(19.8, 10);
    expect(body.total.rebufferingRatio).toBeCloseTo(0.01, 10);
    expect(body.byCountry.map((c) => c.country)).toEqual(['DE']);
  });
});
