// The stream route of part 1 (`POST/GET /v1/events/{id}/stream`) showing the producer's WHIP
// ingest when the WebRTC tier is configured, against the LiveKit contract server through the real
// livekit-server-sdk and the media process's control routes on a real listener: GET shows the
// WHIP address without its key (as it shows RTMP and SRT), POST shows the key once, in both
// ingest modes; a LiveKit outage is 503 `livekit_unavailable` on POST before any RTMP key is made, and
// GET still shows the stream with `livekit: "unavailable"`.

import { createServer, type Server } from 'node:http';
import { MemorySeatStore } from '@fanfare/fanout';
import { ControlRoutes, type StreamInfo } from '@fanfare/media';
import { LiveKitContractServer } from '@fanfare/livekit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpStreamControl, createApp, openWebrtcTier, type Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const KEY = 'APIfanfare';
const SECRET = 'livekit-secret-livekit-secret-livekit-secret';
const MEDIA_SECRET = Buffer.from('stream-whip-test-secret-0123456789');

let fx: Fixture;
let lk: LiveKitContractServer;
let media: Server;
let mediaUrl: string;
const keyHashes = new Map<string, string>();

function info(eventId: string): StreamInfo {
  return {
    eventId,
    source: 'encoder',
    ingest: { rtmp: 'rtmp://media.test:1935/live', srt: 'srt://media.test:9000' },
    publisher: null,
    state: 'idle',
    renditions: [],
    bitrate: null,
    lastPartAt: null,
  };
}

beforeAll(async () => {
  fx = await createFixture();
  lk = await LiveKitContractServer.start({ apiKey: KEY, apiSecret: SECRET });
  const routes = new ControlRoutes({
    secret: MEDIA_SECRET,
    streams: {
      setStreamKey: (eventId, sha) => {
        keyHashes.set(eventId, sha.toString('hex'));
        return Promise.resolve(info(eventId));
      },
      streamInfo: (eventId) => (keyHashes.has(eventId) ? info(eventId) : undefined),
      endStream: (eventId) => Promise.resolve(keyHashes.delete(eventId)),
    },
  });
  media = createServer(routes.handle);
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
  const address = media.address();
  mediaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
beforeEach(async () => {
  await fx.reset();
  keyHashes.clear();
  lk.state.rooms.clear();
  lk.state.ingresses.clear();
});
afterAll(async () => {
  await new Promise((resolve) => media.close(resolve));
  await lk.close();
  await fx.close();
});

function appWith(ingest: 'ingress' | 'whip', url = lk.url) {
  const webrtc = openWebrtcTier(
    { url, apiKey: KEY, apiSecret: SECRET, ingest, roomPrefix: 'ff-' },
    { seats: new MemorySeatStore(), clock: fx.clock, logger: fx.deps.logger! },
  );
  const streams = new HttpStreamControl({ url: mediaUrl, secret: MEDIA_SECRET });
  return createApp({ ...fx.deps, streams, webrtc });
}
function call(app: ReturnType<typeof createApp>, method: string, path: string, token: string) {
  return app.request(path, { method, headers: { authorization: `Bearer ${token}` } });
}

interface Rotated {
  key: string;
  stream: StreamInfo;
  whip: { mode: string; url: string; streamKey: string } | null;
}

describe('the stream route with the WebRTC tier', () => {
  it('ingress mode: GET shows no URL before an ingress, POST opens it and shows its key once', async () => {
    await fx.seedEvent('final', 'scheduled');
    const app = appWith('ingress');
    const producer = await fx.staffToken('producer');
    const sre = await fx.staffToken('sre');

    const before = await call(app, 'GET', '/v1/events/final/stream', sre);
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({
      stream: null,
      whip: { mode: 'ingress', url: null },
      livekit: 'ok',
    });
    expect(lk.state.ingresses.size).toBe(0); // GET opens nothing
    expect(lk.state.rooms.size).toBe(0);

    const res = await call(app, 'POST', '/v1/events/final/stream', producer);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const first = (await res.json()) as Rotated;
    expect(first.key).toMatch(/^sk_/);
    const [ingress] = lk.state.ingresses.values();
    expect(first.whip).toEqual({
      mode: 'ingress',
      url: `${lk.url}/w`,
      streamKey: ingress!.streamKey,
    });
    expect(ingress!.roomName).toBe('ff-final');
    expect(lk.state.rooms.has('ff-final')).toBe(true); // the room opened before the ingest

    // A rotation makes a new RTMP key; the WHIP ingest is reused while it exists, as the
    // WebRTC route hands it out.
    const again = (await (
      await call(app, 'POST', '/v1/events/final/stream', producer)
    ).json()) as Rotated;
    expect(again.key).not.toBe(first.key);
    expect(again.whip).toEqual(first.whip);
    expect(lk.state.ingresses.size).toBe(1);
    const fromWebrtc = await call(app, 'POST', '/v1/events/final/webrtc/ingest', producer);
    expect(((await fromWebrtc.json()) as { ingest: unknown }).ingest).toEqual(first.whip);

    const shown = await call(app, 'GET', '/v1/events/final/stream', sre);
    const text = await shown.text();
    expect(JSON.parse(text)).toEqual({
      stream: info('final'),
      whip: { mode: 'ingress', url: `${lk.url}/w` },
      livekit: 'ok',
    });
    expect(text).not.toContain(first.whip!.streamKey);
    expect(text).not.toContain(again.key);

    const audit = (await fx.db.audit.list('final')).items;
    expect(audit.map((e) => e.action).sort()).toEqual([
      'stream.key_rotate',
      'stream.key_rotate',
      'webrtc.ingest',
      'webrtc.ingest',
      'webrtc.ingest',
    ]);
    expect(JSON.stringify(audit)).not.toContain(first.whip!.streamKey);
  });

  it('whip mode: GET shows the native endpoint, POST a publish-only token for the room', async () => {
    await fx.seedEvent('final', 'live');
    const app = appWith('whip');
    const producer = await fx.staffToken('producer');
    const shown = await call(app, 'GET', '/v1/events/final/stream', producer);
    expect(await shown.json()).toEqual({
      stream: null,
      whip: { mode: 'whip', url: `${lk.url}/whip/v1` },
      livekit: 'ok',
    });
    const { whip } = (await (
      await call(app, 'POST', '/v1/events/final/stream', producer)
    ).json()) as Rotated;
    expect(whip).toMatchObject({ mode: 'whip', url: `${lk.url}/whip/v1` });
    const claims = JSON.parse(
      Buffer.from(whip!.streamKey.split('.')[1]!, 'base64url').toString(),
    ) as { video: Record<string, unknown> };
    expect(claims.video).toMatchObject({
      room: 'ff-final',
      roomJoin: true,
      canPublish: true,
      canSubscribe: false,
    });
  });

  it('answers POST 503 livekit_unavailable when LiveKit is down, making no RTMP key; GET still answers', async () => {
    await fx.seedEvent('final', 'live');
    const app = appWith('ingress', 'http://127.0.0.1:1');
    const producer = await fx.staffToken('producer');
    const problem = async (res: Response) => [res.status, ((await res.json()) as Problem).code];
    expect(await problem(await call(app, 'POST', '/v1/events/final/stream', producer))).toEqual([
      503,
      'livekit_unavailable',
    ]);
    expect(keyHashes.size).toBe(0);
    // The status route still answers (the LL-HLS stream's status matters most in an outage).
    const shown = await call(app, 'GET', '/v1/events/final/stream', producer);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ whip: null, livekit: 'unavailable' });
  });

  it('refuses an ended event before opening any ingest', async () => {
    await fx.seedEvent('final', 'ended');
    const app = appWith('ingress');
    const res = await call(app, 'POST', '/v1/events/final/stream', await fx.staffToken('producer'));
    expect(res.status).toBe(410);
    expect(lk.state.ingresses.size).toBe(0);
  });
});
