// `POST/GET /v1/events/{id}/stream` through HttpStreamControl to the media process's own control
// routes (media's ControlRoutes on a real listener, with the streams held in this file): the key
// is made here, shown once, and only its SHA-256 reaches the media process; status passes
// through; media refusals and outages become documented problems.

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlRoutes, StreamConflictError, type StreamInfo } from '@fanfare/media';
import { HttpStreamControl, createApp, restoreStreamKeys, type Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const SECRET = Buffer.from('stream-route-test-secret-0123456789');

let fx: Fixture;
let media: Server;
let mediaUrl: string;
/** What the media process was given: event -> SHA-256 hex of its current key. */
const keyHashes = new Map<string, string>();

function info(eventId: string, source: StreamInfo['source'] = 'encoder'): StreamInfo {
  return {
    eventId,
    source,
    ingest:
      source === 'encoder'
        ? { rtmp: 'rtmp://media.test:1935/live', srt: 'srt://media.test:8890' }
        : {},
    publisher: null,
    state: 'live',
    renditions: [
      { name: '180p', width: 320, height: 180, bitrate: 310_000, lastMsn: 12, lastPart: 3 },
    ],
    bitrate: 310_000,
    lastPartAt: 1_764_000_000_000,
  };
}

beforeAll(async () => {
  fx = await createFixture();
  const routes = new ControlRoutes({
    secret: SECRET,
    streams: {
      setStreamKey: (eventId, sha) => {
        if (eventId === 'demo') return Promise.reject(new StreamConflictError(eventId, 'demo'));
        keyHashes.set(eventId, sha.toString('hex'));
        return Promise.resolve(info(eventId));
      },
      streamInfo: (eventId) =>
        eventId === 'demo'
          ? info('demo', 'demo')
          : keyHashes.has(eventId)
            ? info(eventId)
            : undefined,
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
});
afterAll(async () => {
  await new Promise((resolve) => media.close(resolve));
  await fx.close();
});

function appWith(url = mediaUrl, secret = SECRET) {
  return createApp({ ...fx.deps, streams: new HttpStreamControl({ url, secret }) });
}
function call(app: ReturnType<typeof createApp>, method: string, path: string, token: string) {
  return app.request(path, { method, headers: { authorization: `Bearer ${token}` } });
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the stream route', () => {
  it('keeps the key hash and restores it to a media process that restarted', async () => {
    await fx.seedEvent('final', 'live');
    await fx.seedEvent('old', 'live');
    const app = appWith();
    const producer = await fx.staffToken('producer');
    const { key } = (await (
      await call(app, 'POST', '/v1/events/final/stream', producer)
    ).json()) as {
      key: string;
    };
    await call(app, 'POST', '/v1/events/old/stream', producer);
    await fx.deps.db.events.transition('old', 'live', 'ended');
    const control = new HttpStreamControl({ url: mediaUrl, secret: SECRET });
    expect(await restoreStreamKeys(fx.deps.db.streamKeys, control)).toEqual([]); // holds them
    keyHashes.clear(); // the media process restarted: its keys are gone
    expect(await restoreStreamKeys(fx.deps.db.streamKeys, control)).toEqual(['final']);
    expect(keyHashes.get('final')).toBe(sha256(key));
    expect(keyHashes.has('old')).toBe(false); // an ended event gets no ingest back
    expect(await restoreStreamKeys(fx.deps.db.streamKeys, control)).toEqual([]);
    // Only the hash is stored.
    expect(JSON.stringify(await fx.deps.db.streamKeys.listLive())).not.toContain(key);
  });

  it("ends the event's stream at the media process when the event ends", async () => {
    await fx.seedEvent('closing', 'live');
    const app = appWith();
    const producer = await fx.staffToken('producer');
    await call(app, 'POST', '/v1/events/closing/stream', producer);
    expect(keyHashes.has('closing')).toBe(true);
    const moved = await app.request('/v1/events/closing/state', {
      method: 'POST',
      headers: { authorization: `Bearer ${producer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'ended' }),
    });
    expect(moved.status).toBe(200);
    expect(keyHashes.has('closing')).toBe(false); // its key leads nowhere on the shared ports
    // Ending an event the media process holds no stream for is no error.
    await fx.seedEvent('quiet', 'live');
    const quiet = new HttpStreamControl({ url: mediaUrl, secret: SECRET });
    await expect(quiet.end('quiet')).resolves.toBeUndefined();
  });

  it('makes a key, shows it once, hands the media process only its SHA-256, and rotates it', async () => {
    await fx.seedEvent('final', 'live');
    const app = appWith();
    const producer = await fx.staffToken('producer');
    const res = await call(app, 'POST', '/v1/events/final/stream', producer);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const first = (await res.json()) as { key: string; stream: StreamInfo };
    expect(first.key).toMatch(/^sk_[A-Za-z0-9_-]{32}$/);
    expect(first.stream).toEqual(info('final'));
    expect(keyHashes.get('final')).toBe(sha256(first.key));

    const again = (await (await call(app, 'POST', '/v1/events/final/stream', producer)).json()) as {
      key: string;
    };
    expect(again.key).not.toBe(first.key);
    expect(keyHashes.get('final')).toBe(sha256(again.key));

    const shown = await call(
      app,
      'GET',
      '/v1/events/final/stream',
      await fx.staffToken('moderator'),
    );
    expect(shown.status).toBe(200);
    const text = await shown.text();
    expect(JSON.parse(text)).toEqual({
      stream: info('final'),
      whip: null,
      livekit: 'off',
    }); // no WebRTC tier
    expect(text).not.toContain(again.key);
    const audit = (await fx.db.audit.list('final')).items;
    expect(audit.map((e) => e.action)).toEqual(['stream.key_rotate', 'stream.key_rotate']);
    expect(JSON.stringify(audit)).not.toContain(again.key);
    expect(fx.logged).toEqual([]);
  });

  it('shows null before any key, and the demo source without an ingest address', async () => {
    await fx.seedEvent('final', 'live');
    await fx.seedEvent('demo', 'live');
    const app = appWith();
    const sre = await fx.staffToken('sre');
    expect(await (await call(app, 'GET', '/v1/events/final/stream', sre)).json()).toEqual({
      stream: null,
      whip: null,
      livekit: 'off',
    });
    expect(await (await call(app, 'GET', '/v1/events/demo/stream', sre)).json()).toEqual({
      stream: info('demo', 'demo'),
      whip: null,
      livekit: 'off',
    });
  });

  it('refuses the wrong callers, unknown events, the demo event and a media outage', async () => {
    await fx.seedEvent('final', 'live');
    await fx.seedEvent('demo', 'live');
    const app = appWith();
    const producer = await fx.staffToken('producer');
    const problem = async (res: Response) => [res.status, ((await res.json()) as Problem).code];
    for (const role of ['moderator', 'sre'] as const) {
      const res = await call(app, 'POST', '/v1/events/final/stream', await fx.staffToken(role));
      expect(await problem(res)).toEqual([403, 'forbidden']);
    }
    const scoped = await fx.staffToken('producer', 'other');
    expect(await problem(await call(app, 'POST', '/v1/events/final/stream', scoped))).toEqual([
      403,
      'forbidden',
    ]);
    expect(await problem(await call(app, 'POST', '/v1/events/nope/stream', producer))).toEqual([
      404,
      'event_not_found',
    ]);
    expect(await problem(await call(app, 'POST', '/v1/events/demo/stream', producer))).toEqual([
      409,
      'stream_conflict',
    ]);
    expect(keyHashes.size).toBe(0);

    // A media process that is down, or one holding another secret, is unavailable to the API.
    for (const broken of [appWith('http://127.0.0.1:9'), appWith(mediaUrl, Buffer.alloc(32, 1))]) {
      const res = await call(broken, 'POST', '/v1/events/final/stream', producer);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await problem(res)).toEqual([503, 'media_unavailable']);
    }
    // And without any media process configured.
    const none = createApp(fx.deps);
    expect(await problem(await call(none, 'GET', '/v1/events/final/stream', producer))).toEqual([
      503,
      'media_unavailable',
    ]);
  });
});
