// The pre-warm request is shared by the API replicas: posted to one, `GET …/prewarm` answers the
// same plan and readiness from another, as two API processes on one Redis (each with its own
// connection) do. The request travels with the event's capacity reservation in the registry.

import { RedisShardRegistry } from '@fanfare/fanout';
import {
  connectTestRedis,
  deletePrefix,
  describeWithRedis,
  runPrefix,
} from '@fanfare/fanout/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

await describeWithRedis('pre-warm across two API replicas on Redis', () => {
  let fx: Fixture;
  const prefix = runPrefix('prewarm-replicas');
  const connections: NonNullable<Awaited<ReturnType<typeof connectTestRedis>>>[] = [];
  const replicas: ReturnType<typeof createApp>[] = [];

  beforeAll(async () => {
    fx = await createFixture();
    await fx.seedEvent('final', 'scheduled');
    await fx.seedEvent('semi', 'scheduled');
    for (let i = 0; i < 2; i++) {
      const redis = (await connectTestRedis())!;
      connections.push(redis);
      replicas.push(createApp({ ...fx.deps, registry: new RedisShardRegistry(redis, prefix) }));
    }
  });
  afterAll(async () => {
    if (connections[0]) await deletePrefix(connections[0], prefix);
    for (const redis of connections) redis.disconnect();
    await fx.close();
  });

  async function call(replica: number, method: string, eventId: string, body?: unknown) {
    const res = await replicas[replica]!.request(`/v1/events/${eventId}/prewarm`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await fx.staffToken('sre')}`,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('answers the plan posted to one replica from the other', async () => {
    const request = {
      expectedPeakFans: 100_000,
      expectedJoinsPerSec: 1_700,
      startsAt: Date.parse('2026-11-24T20:00:00Z'),
      tiers: { webrtc: 20 },
    };
    const posted = await call(0, 'POST', 'final', request);
    expect(posted.status).toBe(200);
    expect((posted.body.plan as { shards: number }).shards).toBe(21);
    const fromOther = await call(1, 'GET', 'final');
    expect(fromOther.status).toBe(200);
    expect(fromOther.body).toEqual(posted.body);
    expect(fromOther.body.request).toEqual(request);
    // A later POST to the other replica replaces the request for both.
    const smaller = { expectedPeakFans: 1_000, expectedJoinsPerSec: 10 };
    await call(1, 'POST', 'final', smaller);
    expect((await call(0, 'GET', 'final')).body.request).toEqual(smaller);
  });

  it('answers 404 on every replica for an event nobody pre-warmed', async () => {
    for (const replica of [0, 1]) {
      const res = await call(replica, 'GET', 'semi');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });
});
