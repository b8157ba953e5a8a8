// The seat budget holds across API replicas: two apps, each with its own Redis connection (as two
// API processes have), take concurrent joins for one event; exactly the budget gets WebRTC. And
// LiveKit's webhooks apply once by delivery id whichever replica each copy reaches.

import { RedisSeatStore } from '@fanfare/fanout';
import {
  connectTestRedis,
  deletePrefix,
  describeWithRedis,
  runPrefix,
} from '@fanfare/fanout/testing';
import { LiveKitContractServer, type SignedWebhook } from '@fanfare/livekit/testing';
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

  const replicas: ReturnType<typeof createApp>[] = [];
  let seats: RedisSeatStore;
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const redis = (await connectTestRedis())!;
      connections.push(redis);
      seats = new RedisSeatStore(redis, prefix);
      const webrtc = openWebrtcTier(
        { url: lk.url, apiKey: KEY, apiSecret: SECRET, ingest: 'whip', roomPrefix: 'r-' },
        { seats, clock: fx.clock, logger: fx.deps.logger! },
      );
      const playback = new LlHlsPlaybackIssuer({
        secret: Buffer.from('m'.repeat(32)),
        publicUrl: 'https://media.test',
      });
      replicas.push(createApp({ ...fx.deps, playback, webrtc }));
    }
  });

  it(`hands out exactly ${BUDGET} seats to ${JOINS} concurrent joins split over both`, async () => {
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

  const post = async (replica: number, hook: SignedWebhook): Promise<Response> =>
    replicas[replica]!.request('/v1/livekit/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json', authorization: hook.authorization },
      body: hook.body,
    });
  const outcome = async (res: Response) => ((await res.json()) as { outcome: string }).outcome;

  it('applies a webhook once by its id, whichever replicas its copies reach', async () => {
    await fx.seedEvent('hooks', 'live', { webrtcSeats: 3 });
    lk.state.rooms.set('r-hooks', {
      sid: 'RM_h',
      name: 'r-hooks',
      metadata: '',
      emptyTimeout: 0,
      creationTime: 0,
      participants: new Map(),
    });
    const viewer = {
      identity: 'ann',
      name: 'Ann',
      canPublish: false,
      canSubscribe: true,
      canPublishData: false,
    };
    lk.state.join('r-hooks', viewer);
    lk.state.leave('r-hooks', 'ann');
    await lk.delivered();
    const [joined, left] = lk.webhooks.splice(0).slice(-2);
    // The same delivery, eight copies at once over both replicas: one applies.
    const copies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(i % 2, joined!).then(outcome)),
    );
    expect(copies.sort()).toEqual(['applied', ...Array<string>(7).fill('duplicate')]);
    expect(await outcome(await post(0, left!))).toBe('applied');
    expect(await seats.held('hooks', fx.clock.now())).toBe(0);

    // Ann comes back; LiveKit then redelivers her old `participant_left` to the other replica.
    // Applied again it would free the seat she holds now: it is recognised as a duplicate.
    lk.state.join('r-hooks', viewer);
    await lk.delivered();
    const [rejoined] = lk.webhooks.splice(0);
    expect(await outcome(await post(1, rejoined!))).toBe('applied');
    expect(await outcome(await post(1, left!))).toBe('duplicate');
    expect(await seats.held('hooks', fx.clock.now())).toBe(1);
  });
});
