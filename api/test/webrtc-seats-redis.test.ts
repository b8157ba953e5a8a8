// The seat budget holds across API replicas: two apps, each with its own Redis connection (as two
// API processes have), take concurrent joins for one event; exactly the budget gets WebRTC.

import { RedisSeatStore } from '@fanfare/fanout';
import {
  connectTestRedis,
  deletePrefix,
  describeWithRedis,
  runPrefix,
} from '@fanfare/fanout/testing';
import { LiveKitContractServer } from '@fanfare/livekit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LlHlsPlaybackIssuer, createApp, openWebrtcTier, type JoinResponse } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const KEY = 'APIreplicas';
const SECRET = 'replicas-secret-replicas-secret-replicas';
const BUDGET = 5;
const JOINS = 40;

await describeWithRedis('WebRTC seats across two API replicas on Redis', () => {
  let fx: Fixture;
  let lk: LiveKitContractServer;
  const prefix = runPrefix('webrtc-seats');
  const connections: Awaited<ReturnType<typeof connectTestRedis>>[] = [];

  beforeAll(async () => {
    fx = await createFixture();
    lk = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
    await fx.seedEvent('busy', 'live', { webrtcSeats: BUDGET });
  });
  afterAll(async () => {
    await deletePrefix(connections[0]!, prefix);
    for (const redis of connections) redis?.disconnect();
    await lk.close();
    await fx.close();
  });

  it(`hands out exactly ${BUDGET} seats to ${JOINS} concurrent joins split over both`, async () => {
    const replicas: ReturnType<typeof createApp>[] = [];
    for (let i = 0; i < 2; i++) {
      const redis = (await connectTestRedis())!;
      connections.push(redis);
      const webrtc = openWebrtcTier(
        { url: lk.url, apiKey: KEY, apiSecret: SECRET, ingest: 'whip', roomPrefix: 'r-' },
        { seats: new RedisSeatStore(redis, prefix), clock: fx.clock, logger: fx.deps.logger! },
      );
      const playback = new LlHlsPlaybackIssuer({
        secret: Buffer.from('m'.repeat(32)),
        publicUrl: 'https://media.test',
      });
      replicas.push(createApp({ ...fx.deps, playback, webrtc }));
    }
    const joins = Array.from({ length: JOINS }, async (_, i) => {
      const res = await replicas[i % 2]!.request('/v1/events/busy/join', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"tiers":["webrtc"]}',
      });
      return ((await res.json()) as JoinResponse).playback?.tier;
    });
    const tiers = await Promise.all(joins);
    expect(tiers.filter((t) => t === 'webrtc')).toHaveLength(BUDGET);
    expect(tiers.filter((t) => t === 'll-hls')).toHaveLength(JOINS - BUDGET);
  });
});
