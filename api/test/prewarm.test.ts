// `POST` and `GET /v1/events/{id}/prewarm`: who may plan, what a plan holds against the shards in
// the registry, the readiness list, and the refusals.

import { MemoryShardRegistry, decodePrewarmSignal, type ShardState } from '@fanfare/fanout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { createFixture, subjects, type Fixture } from './fixture.js';

let fx: Fixture;
let registry: MemoryShardRegistry;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  fx = await createFixture();
  await fx.seedEvent('final', 'scheduled');
  registry = new MemoryShardRegistry(fx.clock);
  app = createApp({ ...fx.deps, registry });
});
afterAll(() => fx.close());

const TTL_MS = 60_000;
async function liveShards(n: number, report: Partial<ShardState> = {}): Promise<void> {
  for (let i = 0; i < n; i++) {
    await registry.heartbeat(
      {
        id: `gateway-${i}`,
        url: `ws://gateway-${i}/ws`,
        capacity: 19_000,
        fans: 0,
        events: {},
        draining: false,
        at: fx.clock.now(),
        ...report,
      },
      TTL_MS,
    );
  }
}

function call(method: string, path: string, token: string | undefined, body?: unknown) {
  return app.request(path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface Answer {
  plan: { shards: number; cluster: { liveShards: number; missing: string[] } };
  readiness: { item: string; state: string; reason: string }[];
}

describe('/v1/events/:id/prewarm', () => {
  it('plans 100,000 fans against the live shards and lists what is missing', async () => {
    await liveShards(3);
    const sre = await fx.staffToken('sre');
    const res = await call('POST', '/v1/events/final/prewarm', sre, {
      expectedPeakFans: 100_000,
      expectedJoinsPerSec: 1_700,
      startsAt: Date.parse('2026-11-24T20:00:00Z'),
      tiers: { webrtc: 20 },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    expect(body.plan.shards).toBe(21); // delivering 200 msg/s to 100,000 fans binds
    expect(body.plan.cluster.liveShards).toBe(3);
    expect(body.readiness).toEqual([
      { item: 'event_log', state: 'ready', reason: 'the event log answers' },
      { item: 'shard_registry', state: 'ready', reason: 'the registry answers' },
      { item: 'shards', state: 'pending', reason: '3 live, 21 needed' },
      {
        item: 'capacity',
        state: 'pending',
        reason: `18 more shard(s): 3 live, 21 needed; room for ${100_000 - 2 * 18_050} more fans with one shard lost`,
      },
      { item: 'shard_rooms', state: 'pending', reason: '0 of 3 live shards hold the room warm' },
      { item: 'jwks', state: 'pending', reason: '0 of 3 live shards hold the token keys' },
    ]);

    // Once the shards are up and report the room and the keys, GET reports the same plan ready,
    // for a producer too; a draining shard is not counted.
    const warm = { warm: ['final'], jwks: { kids: ['k1'], fetchedAt: fx.clock.now() } };
    await liveShards(21, warm);
    await registry.heartbeat({ ...(await registry.live())[0]!, id: 'old', warm: [] }, TTL_MS);
    await registry.heartbeat({ ...(await registry.live())[0]!, id: 'z', draining: true }, TTL_MS);
    const again = await call('GET', '/v1/events/final/prewarm', await fx.staffToken('producer'));
    expect(again.status).toBe(200);
    const ready = (await again.json()) as Answer;
    expect(ready.plan.shards).toBe(21);
    expect(ready.readiness.slice(4)).toEqual([
      { item: 'shard_rooms', state: 'pending', reason: '21 of 22 live shards hold the room warm' },
      { item: 'jwks', state: 'ready', reason: '22 of 22 live shards hold the token keys' },
    ]);
    await registry.remove('old');
    const all = (await (await call('GET', '/v1/events/final/prewarm', sre)).json()) as Answer;
    expect(all.readiness.map((r) => r.state)).toEqual(Array(6).fill('ready'));
  });

  it("counts other events' reservations against the room a plan may use", async () => {
    await fx.seedEvent('semi', 'scheduled');
    const sre = await fx.staffToken('sre');
    const plan = async (eventId: string, expectedPeakFans: number, method = 'POST') => {
      const body = { expectedPeakFans, expectedJoinsPerSec: 10 };
      const res = await call(method, `/v1/events/${eventId}/prewarm`, sre, body);
      return (await res.json()) as Answer & { plan: { cluster: { reservedFans: number } } };
    };
    // 21 live shards of 19,000 take 18,050 each, one with 1,000 of final's fans connected:
    // 378,050 free, 360,000 with one shard lost.
    await liveShards(21);
    const first = (await registry.live())[0]!;
    await registry.heartbeat({ ...first, fans: 1_000, events: { final: 1_000 } }, TTL_MS);
    expect((await plan('final', 200_000)).plan.cluster.reservedFans).toBe(0);
    // Re-posted: final's reservation is replaced (300,000), not added to (500,000).
    expect((await plan('final', 300_000)).plan.cluster.reservedFans).toBe(0);
    // Another event's plan sees final's 300,000 held, less the 1,000 connected now.
    const semi = await plan('semi', 100_000);
    expect(semi.plan.cluster.reservedFans).toBe(299_000);
    expect(semi.readiness.find((r) => r.item === 'capacity')).toEqual({
      item: 'capacity',
      state: 'pending',
      reason: 'room for 39000 more fans with one shard lost (299000 reserved by other events)',
    });
    // Final's own plan counts semi's reservation, not its own.
    const final = await plan('final', 100_000);
    expect(final.plan.cluster.reservedFans).toBe(100_000);
    expect(final.readiness.find((r) => r.item === 'capacity')).toEqual({
      item: 'capacity',
      state: 'ready',
      reason:
        'the live shards can take the peak with one lost, beside 100000 fans reserved by other events',
    });
  });

  it('signals every shard on each POST, and not on GET', async () => {
    const signals: string[] = [];
    const sub = fx.bus.subscribe(subjects.prewarm(), (data) =>
      signals.push(decodePrewarmSignal(data)!.eventId),
    );
    const sre = await fx.staffToken('sre');
    const body = { expectedPeakFans: 10, expectedJoinsPerSec: 1 };
    expect((await call('POST', '/v1/events/final/prewarm', sre, body)).status).toBe(200);
    expect((await call('POST', '/v1/events/final/prewarm', sre, body)).status).toBe(200);
    expect((await call('GET', '/v1/events/final/prewarm', sre)).status).toBe(200);
    sub.unsubscribe();
    expect(signals).toEqual(['final', 'final']);
  });

  it('says the registry is missing when the API has none', async () => {
    const lone = createApp(fx.deps);
    const res = await lone.request('/v1/events/final/prewarm', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await fx.staffToken('sre')}`,
      },
      body: JSON.stringify({ expectedPeakFans: 1_000, expectedJoinsPerSec: 10 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    expect(body.readiness[1]).toMatchObject({ item: 'shard_registry', state: 'failed' });
    expect(body.plan.cluster.missing[0]).toBe('2 more shard(s): 0 live, 2 needed');
  });

  it('refuses a moderator, a bad body, an unknown event, and a GET before any POST', async () => {
    const sre = await fx.staffToken('sre');
    const mod = await fx.staffToken('moderator');
    const ok = { expectedPeakFans: 10, expectedJoinsPerSec: 1 };
    expect((await call('POST', '/v1/events/final/prewarm', undefined, ok)).status).toBe(401);
    expect((await call('POST', '/v1/events/final/prewarm', mod, ok)).status).toBe(403);
    for (const bad of [
      {},
      { expectedPeakFans: -1, expectedJoinsPerSec: 1 },
      { expectedPeakFans: 1.5, expectedJoinsPerSec: 1 },
      { ...ok, extra: true },
    ]) {
      const res = await call('POST', '/v1/events/final/prewarm', sre, bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('invalid_body');
    }
    const unknown = await call('POST', '/v1/events/nope/prewarm', sre, ok);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('event_not_found');
    await fx.seedEvent('later', 'scheduled');
    const none = await call('GET', '/v1/events/later/prewarm', sre);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { code: string }).code).toBe('not_found');
  });
});
