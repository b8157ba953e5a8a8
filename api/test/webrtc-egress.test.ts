// One WHIP ingest feeds both tiers, against the LiveKit contract server through the real SDK:
// LiveKit's ingress_started starts the room egress into the media process's RTMP ingest (under a
// key only it knows), ingress_ended and room_finished stop it, the producer's route answers the
// running one; the egress's key is kept for a media process that restarts; and an ended event
// takes no stream on any ingest route (410 `event_ended`).

import { createHash } from 'node:crypto';
import { MemorySeatStore } from '@fanfare/fanout';
import { LiveKitContractServer, type SignedWebhook } from '@fanfare/livekit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LlHlsPlaybackIssuer,
  StreamControlError,
  createApp,
  openWebrtcTier,
  restoreStreamKeys,
  type StreamControl,
  type StreamInfo,
} from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const KEY = 'APIegress';
const SECRET = 'egress-secret-egress-secret-egress-secret';

let fx: Fixture;
let lk: LiveKitContractServer;
let producer: string;
let app: ReturnType<typeof createApp>;
/** The key hashes the media process was handed, in order. */
let hashes: string[];

const streams: StreamControl = {
  setKey: async (eventId, sha) => {
    hashes.push(sha);
    return (await streams.info(eventId))!;
  },
  info: async (eventId): Promise<StreamInfo> => ({
    eventId,
    source: 'encoder',
    ingest: { rtmp: 'rtmp://media.test:1935/live' },
    publisher: null,
    state: 'idle',
    renditions: [],
    bitrate: null,
    lastPartAt: null,
  }),
  end: async () => undefined,
};

beforeAll(async () => {
  fx = await createFixture();
  lk = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
  producer = await fx.staffToken('producer');
});
afterAll(async () => {
  await lk.close();
  await fx.close();
});
beforeEach(() => {
  hashes = [];
  const webrtc = openWebrtcTier(
    { url: lk.url, apiKey: KEY, apiSecret: SECRET, ingest: 'ingress', roomPrefix: 'eg-' },
    {
      seats: new MemorySeatStore(),
      clock: fx.clock,
      logger: fx.deps.logger!,
      media: { streams, keys: fx.db.streamKeys },
    },
  );
  const playback = new LlHlsPlaybackIssuer({
    secret: Buffer.from('m'.repeat(32)),
    publicUrl: 'https://media.test',
  });
  app = createApp({ ...fx.deps, playback, streams, webrtc });
});

const auth = () => ({ 'content-type': 'application/json', authorization: `Bearer ${producer}` });

function webhook(hook: SignedWebhook) {
  return app.request('/v1/livekit/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/webhook+json', authorization: hook.authorization },
    body: hook.body,
  });
}

/** Delivers every webhook the contract server emitted since the last call. */
async function deliver(): Promise<void> {
  await lk.delivered();
  for (const hook of lk.webhooks.splice(0)) expect((await webhook(hook)).status).toBe(200);
}

/** A scheduled event with its room open and the producer's WHIP ingress made. */
async function withIngress(id: string): Promise<string> {
  await fx.seedEvent(id, 'scheduled', { webrtcSeats: 2 });
  const res = await app.request(`/v1/events/${id}/webrtc/ingest`, {
    method: 'POST',
    headers: auth(),
  });
  expect(res.status).toBe(200);
  await deliver();
  const info = [...lk.state.ingresses.values()].find((i) => i.roomName === `eg-${id}`)!;
  return info.ingressId;
}

const active = (id: string) =>
  [...lk.state.egresses.values()].filter(
    (e) => e.roomName === `eg-${id}` && e.status !== 'EGRESS_COMPLETE',
  );

async function status(id: string) {
  const res = await app.request(`/v1/events/${id}/webrtc`, { headers: auth() });
  return ((await res.json()) as { webrtc: { egress: string | null; ingest: unknown } }).webrtc;
}

describe('the room egress follows the WHIP ingest', () => {
  it('starts when LiveKit reports the ingest publishing, into the RTMP ingest under a fresh key', async () => {
    const ingressId = await withIngress('follow');
    expect(active('follow')).toHaveLength(0);
    lk.state.setPublishing(ingressId, true);
    await deliver();
    const [egress] = active('follow');
    expect(egress).toBeDefined();
    const [url] = egress!.urls;
    expect(url).toMatch(/^rtmp:\/\/media\.test:1935\/live\/sk_/);
    const key = url!.slice(url!.lastIndexOf('/') + 1);
    expect(hashes).toEqual([createHash('sha256').update(key).digest('hex')]);
    // A media process that restarts now gets the egress's key back, not the one it replaced.
    const restored: string[] = [];
    const restarted: StreamControl = {
      setKey: async (eventId, sha) => {
        restored.push(`${eventId}:${sha}`);
        return (await streams.info(eventId))!;
      },
      info: async () => undefined,
      end: async () => undefined,
    };
    await restoreStreamKeys(fx.db.streamKeys, restarted);
    expect(restored).toContain(`follow:${hashes[0]}`);
    expect(await status('follow')).toMatchObject({
      egress: egress!.egressId,
      ingest: { live: true },
    });

    // The producer's route answers the running egress rather than starting a second.
    const again = await app.request('/v1/events/follow/webrtc/egress', {
      method: 'POST',
      headers: auth(),
    });
    expect([again.status, await again.json()]).toEqual([
      200,
      { egressId: egress!.egressId, started: false },
    ]);
    expect(active('follow')).toHaveLength(1);

    // The encoder stops: the egress stops with it; a new publish starts a new one.
    lk.state.setPublishing(ingressId, false);
    await deliver();
    expect(active('follow')).toHaveLength(0);
    expect(await status('follow')).toMatchObject({ egress: null, ingest: { live: false } });
    lk.state.setPublishing(ingressId, true);
    await deliver();
    expect(active('follow')).toHaveLength(1);
    expect(hashes).toHaveLength(2);
  });

  it('starts one egress when LiveKit reports the same ingest twice (the ingress and its participant)', async () => {
    const ingressId = await withIngress('twice');
    lk.state.setPublishing(ingressId, true);
    // The ingress's participant joining the room is also the ingest going live.
    lk.state.join('eg-twice', {
      identity: 'producer-twice',
      name: 'producer',
      canPublish: true,
      canSubscribe: false,
      canPublishData: false,
    });
    await lk.delivered();
    const hooks = lk.webhooks.splice(0);
    const answers = await Promise.all(hooks.map((h) => webhook(h)));
    expect(answers.map((a) => a.status)).toEqual(hooks.map(() => 200));
    expect(active('twice')).toHaveLength(1);
  });

  it('stops when the room finishes, and the room finishes when the event ends', async () => {
    const ingressId = await withIngress('finale');
    lk.state.setPublishing(ingressId, true);
    await deliver();
    expect(active('finale')).toHaveLength(1);
    const state = (body: string) =>
      app.request('/v1/events/finale/state', { method: 'POST', headers: auth(), body });
    expect((await state('{"state":"live"}')).status).toBe(200);
    expect((await state('{"state":"ended"}')).status).toBe(200);
    expect(lk.state.rooms.has('eg-finale')).toBe(false);
    await deliver();
    expect(active('finale')).toHaveLength(0);
    expect(await status('finale')).toMatchObject({ egress: null });
  });

  it('answers 503 to the webhook when the media process fails, and applies the retry', async () => {
    const ingressId = await withIngress('retry');
    const failing: StreamControl = {
      ...streams,
      setKey: async () => {
        throw new StreamControlError('unavailable', 'the media process is down');
      },
    };
    const seats = new MemorySeatStore();
    const tierOf = (control: StreamControl) =>
      openWebrtcTier(
        { url: lk.url, apiKey: KEY, apiSecret: SECRET, ingest: 'ingress', roomPrefix: 'eg-' },
        {
          seats,
          clock: fx.clock,
          logger: fx.deps.logger!,
          media: { streams: control, keys: fx.db.streamKeys },
        },
      );
    const down = createApp({ ...fx.deps, streams: failing, webrtc: tierOf(failing) });
    const up = createApp({ ...fx.deps, streams, webrtc: tierOf(streams) });
    lk.state.setPublishing(ingressId, true);
    await lk.delivered();
    const [started] = lk.webhooks.splice(0);
    const post = (to: typeof app) =>
      to.request('/v1/livekit/webhook', {
        method: 'POST',
        headers: {
          'content-type': 'application/webhook+json',
          authorization: started!.authorization,
        },
        body: started!.body,
      });
    const refused = await post(down);
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([
      503,
      'media_unavailable',
    ]);
    expect(active('retry')).toHaveLength(0);
    // LiveKit retries the same delivery (to any replica): it was not remembered, so it applies.
    expect(await (await post(up)).json()).toEqual({ outcome: 'applied' });
    expect(active('retry')).toHaveLength(1);
    expect(await (await post(up)).json()).toEqual({ outcome: 'duplicate' });
  });
});

describe('an ended event takes no stream', () => {
  it('refuses the WHIP ingest, the egress and the RTMP stream key with 410 event_ended', async () => {
    await fx.seedEvent('over', 'ended', { webrtcSeats: 2 });
    await fx.seedEvent('filed', 'archived');
    for (const path of [
      '/v1/events/over/webrtc/ingest',
      '/v1/events/over/webrtc/egress',
      '/v1/events/over/stream',
      '/v1/events/filed/stream',
    ]) {
      const res = await app.request(path, { method: 'POST', headers: auth() });
      expect([path, res.status, ((await res.json()) as { code: string }).code]).toEqual([
        path,
        410,
        'event_ended',
      ]);
    }
    expect(lk.state.rooms.has('eg-over')).toBe(false);
    expect(hashes).toEqual([]);
  });
});
