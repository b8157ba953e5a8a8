// Pre-warm across real shard processes (NATS, Redis, the API on PGlite): a POST signals both
// shards, each opens the event's room with no fan and reports it (and its JWKS) in the registry,
// readiness turns `shard_rooms` and `jwks` ready, the first fan finds the room already open (the
// shard's room-open counter does not move), and a second POST renews rather than reopens.

import {
  connectTestRedis,
  deletePrefix,
  natsUrl,
  redisUrl,
  requireNats,
  runPrefix,
} from '@fanfare/fanout/testing';
import type { PrewarmAnswer, ShardsAnswer } from '@fanfare/protocol';
import { connectFan, type FanClient } from '@fanfare/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/index.js';

const redis = await connectTestRedis();
const runnable = redis !== undefined && (await requireNats());
const EVENT = 'warm-show';

describe.skipIf(!runnable)('pre-warm opens the event room on every shard', () => {
  let cluster: Cluster | undefined;
  const fans: FanClient[] = [];
  const prefix = runPrefix('warm').replace(/:/g, '-');

  afterAll(async () => {
    for (const fan of fans) fan.close();
    await cluster?.stop();
    if (redis) {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  }, 60_000);

  async function call<T>(method: string, path: string, token: string, body?: unknown) {
    const res = await fetch(`${cluster!.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
    return (await res.json()) as T;
  }

  /** Rooms each shard opened since it started, from its /metrics. */
  async function roomOpens(): Promise<number[]> {
    return Promise.all(
      cluster!.shards.map(async (s) => {
        const text = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
        return Number(/^fanfare_gateway_room_opens_total\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
      }),
    );
  }

  it('holds the room warm before any fan, and the first fan opens none', async () => {
    cluster = await Cluster.start({
      shards: 2,
      natsUrl: natsUrl(),
      redisUrl: redisUrl(),
      prefix,
      output: () => undefined,
    });
    const producer = await cluster.staffToken('producer');
    const sre = await cluster.staffToken('sre');
    await call('POST', '/v1/events', producer, { id: EVENT, title: 'Warm show' });
    expect(await roomOpens()).toEqual([0, 0]);

    const request = { expectedPeakFans: 1_000, expectedJoinsPerSec: 50 };
    await call<PrewarmAnswer>('POST', `/v1/events/${EVENT}/prewarm`, sre, request);
    const states = async () => {
      const answer = await call<PrewarmAnswer>('GET', `/v1/events/${EVENT}/prewarm`, sre);
      return answer.readiness.filter((r) => ['shard_rooms', 'jwks'].includes(r.item));
    };
    await expect.poll(states, { timeout: 15_000, interval: 250 }).toEqual([
      { item: 'shard_rooms', state: 'ready', reason: '2 of 2 live shards hold the room warm' },
      { item: 'jwks', state: 'ready', reason: '2 of 2 live shards hold the token keys' },
    ]);
    // Each shard holds the room with no fan, and has the API's key cached.
    const { keys } = (await (await fetch(`${cluster.apiUrl}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const shards = await call<ShardsAnswer>('GET', '/v1/shards', sre);
    for (const shard of shards.shards) {
      expect(shard).toMatchObject({ fans: 0, events: { [EVENT]: 0 }, warm: [EVENT] });
      expect(shard.jwks?.kids).toEqual(keys.map((k) => k.kid));
    }
    expect(await roomOpens()).toEqual([1, 1]);

    // The first fan on each shard finds the room open: no room is opened for it.
    await call('POST', `/v1/events/${EVENT}/state`, producer, { state: 'live' });
    for (const [i, shard] of cluster.shards.entries()) {
      const joined = await fetch(`${cluster.apiUrl}/v1/events/${EVENT}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Fan ${i}` }),
      });
      const { token } = (await joined.json()) as { token: string };
      const fan = await connectFan(`ws://127.0.0.1:${shard.port}/ws?token=${token}`);
      fans.push(fan);
      await fan.next('welcome');
    }
    expect(await roomOpens()).toEqual([1, 1]);

    // A second POST renews the leases: nothing reopens, readiness stays ready.
    await call('POST', `/v1/events/${EVENT}/prewarm`, sre, request);
    expect((await states()).map((r) => r.state)).toEqual(['ready', 'ready']);
    expect(await roomOpens()).toEqual([1, 1]);
  }, 90_000);
});
