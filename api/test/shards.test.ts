// `GET /v1/shards`: who may read it, the live shards from the registry with their totals (a
// draining shard's capacity left out; each shard's refused upgrades summed), the joins this API
// refused for load, and what it says
// without a registry.

import { MemoryShardRegistry, type ShardRegistry } from '@fanfare/fanout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let registry: MemoryShardRegistry;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  fx = await createFixture({
    joinLimits: {
      perAddress: undefined,
      perEvent: undefined,
      budget: { ratePerSecond: 1, burst: 1 },
    },
  });
  await fx.seedEvent('final', 'live');
  registry = new MemoryShardRegistry(fx.clock);
  app = createApp({ ...fx.deps, registry });
}, 90_000);
afterAll(() => fx.close());

const TTL_MS = 60_000;
const get = (token: string | undefined, using = app) =>
  using.request('/v1/shards', { headers: token ? { authorization: `Bearer ${token}` } : {} });

interface Answer {
  registry: { state: string; reason: string };
  shards: {
    id: string;
    fans: number;
    capacity: number;
    draining: boolean;
    events: object;
    refusedOverloaded?: number;
    fanout?: { windowMs: number; delivered: number; p99Ms: number | null };
  }[];
  totals: {
    fans: number;
    capacity: number;
    draining: number;
    refusedOverloaded: number;
    fanoutP99Ms: number | null;
  };
  refusals: { source: string; overloaded: number; rate_limited: number };
}

describe('GET /v1/shards', () => {
  it('lists the live shards, their totals and the joins refused for load', async () => {
    const at = fx.clock.now();
    await registry.heartbeat(
      {
        id: 'g-a',
        url: 'ws://a/ws',
        capacity: 19_000,
        fans: 120,
        events: { final: 120 },
        draining: false,
        at,
        refusedOverloaded: 4,
        fanout: { windowMs: 2000, delivered: 50, p99Ms: 180 },
      },
      TTL_MS,
    );
    await registry.heartbeat(
      {
        id: 'g-c',
        url: 'ws://c/ws',
        capacity: 19_000,
        fans: 3,
        events: { final: 3 },
        draining: false,
        at,
        refusedOverloaded: 0,
        fanout: { windowMs: 2000, delivered: 9, p99Ms: 240 },
      },
      TTL_MS,
    );
    await registry.heartbeat(
      {
        id: 'g-b',
        url: 'ws://b/ws',
        capacity: 19_000,
        fans: 7,
        events: { final: 7 },
        draining: true,
        at,
      },
      TTL_MS,
    );
    // One join admitted, the next refused `overloaded` (budget 1/s, burst 1).
    const join = () =>
      app.request('/v1/events/final/join', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"Ann"}',
      });
    expect((await join()).status).toBe(200);
    expect((await join()).status).toBe(503);

    const res = await get(await fx.staffToken('sre'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Answer;
    expect(body.registry.state).toBe('ready');
    // g-b predates the shards' refusal count and fan-out window: it has neither, and adds none
    // to the totals; the totals' fan-out p99 is the highest of the others'.
    expect(
      body.shards.map((s) => [s.id, s.fans, s.draining, s.refusedOverloaded, s.fanout?.p99Ms]),
    ).toEqual([
      ['g-a', 120, false, 4, 180],
      ['g-b', 7, true, undefined, undefined],
      ['g-c', 3, false, 0, 240],
    ]);
    expect(body.shards[0]!.events).toEqual({ final: 120 });
    expect(body.shards[2]!.fanout).toEqual({ windowMs: 2000, delivered: 9, p99Ms: 240 });
    expect(body.totals).toEqual({
      fans: 130,
      capacity: 38_000,
      draining: 1,
      refusedOverloaded: 4,
      fanoutP99Ms: 240,
    });
    expect(body.refusals).toEqual({ source: 'api_process', overloaded: 1, rate_limited: 0 });

    // A shard that stops heartbeating ages out.
    fx.clock.advance(TTL_MS + 1);
    const later = (await (await get(await fx.staffToken('producer'))).json()) as Answer;
    expect(later.shards).toEqual([]);
  });

  it('refuses fans, moderators and event-scoped credentials', async () => {
    expect((await get(undefined)).status).toBe(401);
    expect((await get(await fx.staffToken('moderator'))).status).toBe(403);
    expect((await get(await fx.staffToken('sre', 'final'))).status).toBe(403);
  });

  it('says so when there is no registry, or it fails', async () => {
    const none = (await (await get(await fx.staffToken('sre'), fx.app)).json()) as Answer;
    expect(none.registry).toEqual({
      state: 'absent',
      reason: 'this API has no shard registry (REDIS_URL unset)',
    });
    expect(none.shards).toEqual([]);
    expect(none.totals.fanoutP99Ms).toBeNull();
    const broken: ShardRegistry = {
      heartbeat: () => Promise.resolve(),
      remove: () => Promise.resolve(),
      live: () => Promise.reject(new Error('redis down')),
      reserve: () => Promise.resolve(),
      reservations: () => Promise.reject(new Error('redis down')),
      shareAssignments: () => Promise.resolve(),
      assignments: () => Promise.reject(new Error('redis down')),
      close: () => Promise.resolve(),
    };
    const failing = createApp({ ...fx.deps, registry: broken });
    const answer = (await (await get(await fx.staffToken('sre'), failing)).json()) as Answer;
    expect(answer.registry).toEqual({ state: 'failed', reason: 'redis down' });
  });
});
