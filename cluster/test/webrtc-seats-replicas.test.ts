// The WebRTC seat budget across API processes: two real API processes (one Postgres, one Redis,
// the LiveKit contract server) take concurrent joins for one event, split between them as a load
// balancer would; exactly the event's `webrtcSeats` get `webrtc`, everyone else `ll-hls` with the
// same fallback. api/test/webrtc-seats-redis.test.ts holds the same rule for two apps in one
// process; this is the deployment's shape.

import { createTestDatabase, requirePostgres, type TestDatabase } from '@fanfare/db/testing';
import {
  connectTestRedis,
  deletePrefix,
  natsUrl,
  redisUrl,
  requireNats,
  runPrefix,
} from '@fanfare/fanout/testing';
import { LiveKitContractServer } from '@fanfare/livekit/testing';
import type { Playback } from '@fanfare/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/index.js';

const KEY = 'APIprocesses';
const SECRET = 'processes-secret-processes-secret-processes';
const BUDGET = 5;
const JOINS = 40;

const redis = await connectTestRedis();
const runnable = redis !== undefined && (await requireNats()) && (await requirePostgres());

describe.skipIf(!runnable)('WebRTC seats across two API processes', () => {
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;
  let livekit: LiveKitContractServer | undefined;
  const prefix = runPrefix('seats').replace(/:/g, '-');
  const output: string[] = [];

  afterAll(async () => {
    await cluster?.stop();
    await livekit?.close();
    await database?.drop();
    if (redis) {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  }, 60_000);

  it(`hands out exactly ${BUDGET} seats to ${JOINS} concurrent joins over both processes`, async () => {
    livekit = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
    database = await createTestDatabase();
    cluster = await Cluster.start({
      shards: 1,
      natsUrl: natsUrl(),
      redisUrl: redisUrl(),
      databaseUrl: database.url,
      prefix,
      apiEnv: {
        LIVEKIT_URL: livekit.url,
        LIVEKIT_API_KEY: KEY,
        LIVEKIT_API_SECRET: SECRET,
        MEDIA_TOKEN_SECRET: 'm'.repeat(32),
        MEDIA_PUBLIC_URL: 'https://media.test',
        JOIN_LIMIT_PER_ADDRESS: 'off',
        JOIN_LIMIT_PER_EVENT: 'off',
      },
      output: (name, line) => output.push(`[${name}] ${line}`),
    });
    const replica = await cluster.startApiReplica();
    const urls = [cluster.apiUrl, replica.url];

    const producer = await cluster.staffToken('producer');
    const control = (path: string, body: unknown) =>
      fetch(`${cluster!.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${producer}` },
        body: JSON.stringify(body),
      });
    expect(
      (await control('/v1/events', { id: 'seats', title: 'Seats', webrtcSeats: BUDGET })).status,
    ).toBe(201);
    expect((await control('/v1/events/seats/state', { state: 'live' })).status).toBe(200);

    const joins = Array.from({ length: JOINS }, async (_, i) => {
      const res = await fetch(`${urls[i % 2]}/v1/events/seats/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `fan${i}`, tiers: ['webrtc', 'll-hls'] }),
      });
      expect(res.status, output.slice(-5).join('\n')).toBe(200);
      return ((await res.json()) as { playback: Playback }).playback;
    });
    const replies = await Promise.all(joins);
    const webrtc = replies.filter((p) => p.tier === 'webrtc');
    expect(webrtc).toHaveLength(BUDGET);
    expect(replies.filter((p) => p.tier === 'll-hls')).toHaveLength(JOINS - BUDGET);
    // Both processes handed out seats from the one budget (not each a budget of its own) and
    // every reply carries the LL-HLS fallback.
    for (const p of replies) expect(p.fallback).toMatch(/^https:\/\/media\.test\//);
    // A hang limit: the API, a shard and an API replica start one after the other as tsx
    // processes, each within STARTUP_LIMIT_MS (60 s); such a start took over 30 s on a loaded box.
  }, 240_000);
});
