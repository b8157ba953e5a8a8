// The control routes the API calls, over a real listener: the bearer, the body, the answers.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ControlRoutes,
  StreamConflictError,
  controlToken,
  type ControlledStreams,
  type StreamInfo,
} from './control-routes.js';
import { Origin } from './origin.js';
import { OriginServer } from './origin-server.js';

const SECRET = Buffer.alloc(32, 7);

function info(eventId: string): StreamInfo {
  return {
    eventId,
    source: 'encoder',
    ingest: { rtmp: 'rtmp://127.0.0.1:1935/live', srt: 'srt://127.0.0.1:8890' },
    publisher: null,
    state: 'idle',
    renditions: [],
    bitrate: null,
    lastPartAt: null,
  };
}

describe('control routes', () => {
  let server: OriginServer;
  let base: string;
  const keys = new Map<string, string>();

  beforeAll(async () => {
    const streams: ControlledStreams = {
      setStreamKey: (eventId, sha) => {
        if (eventId === 'demo') return Promise.reject(new StreamConflictError(eventId, 'demo'));
        keys.set(eventId, sha.toString('hex'));
        return Promise.resolve(info(eventId));
      },
      streamInfo: (eventId) => (keys.has(eventId) ? info(eventId) : undefined),
      endStream: (eventId) => Promise.resolve(keys.delete(eventId)),
    };
    const origin = new Origin({
      stream: () => undefined,
      tokenSecret: SECRET,
      now: Date.now,
      corsOrigin: '*',
    });
    server = new OriginServer(origin, {
      host: '127.0.0.1',
      port: 0,
      control: new ControlRoutes({ secret: SECRET, streams }).serve,
    });
    await server.start();
    base = `http://127.0.0.1:${server.port}/control/events`;
  });
  afterAll(() => server.close());

  const auth = { authorization: `Bearer ${controlToken(SECRET)}` };
  const put = (event: string, body: string, headers: Record<string, string> = auth) =>
    fetch(`${base}/${event}/stream-key`, { method: 'PUT', headers, body });
  const code = async (res: Response) => ((await res.json()) as { code: string }).code;

  it('refuses a caller without the bearer derived from the shared secret', async () => {
    const sha = 'a'.repeat(64);
    const callers: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${controlToken(Buffer.alloc(32, 8))}` },
      { authorization: controlToken(SECRET) },
    ];
    for (const headers of callers) {
      const res = await put('match', JSON.stringify({ sha256: sha }), headers);
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('control_unauthorized');
    }
    expect(keys.has('match')).toBe(false);
  });

  it('sets a key from its SHA-256 and shows the stream', async () => {
    const sha = 'b'.repeat(64);
    const res = await put('match', JSON.stringify({ sha256: sha }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(info('match'));
    expect(keys.get('match')).toBe(sha);
    const got = await fetch(`${base}/match/stream`, { headers: auth });
    expect([got.status, ((await got.json()) as StreamInfo).eventId]).toEqual([200, 'match']);
  });

  it('answers a malformed body 400, an unknown stream 404 and the demo event 409', async () => {
    for (const body of ['{"sha256":"nothex"}', 'not json', '{}', 'x'.repeat(2000)]) {
      const res = await put('other', body);
      expect([res.status, await code(res)]).toEqual([400, 'bad_request']);
    }
    const missing = await fetch(`${base}/nobody/stream`, { headers: auth });
    expect([missing.status, await code(missing)]).toEqual([404, 'not_found']);
    const demo = await put('demo', JSON.stringify({ sha256: 'c'.repeat(64) }));
    expect([demo.status, await code(demo)]).toEqual([409, 'stream_conflict']);
    const post = await fetch(`${base}/match/stream`, { method: 'POST', headers: auth });
    expect([post.status, await code(post)]).toEqual([405, 'method_not_allowed']);
  });

  it("ends an event's stream on DELETE, then answers 404 for it", async () => {
    await put('ending', JSON.stringify({ sha256: 'd'.repeat(64) }));
    const del = await fetch(`${base}/ending/stream`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(204);
    expect(keys.has('ending')).toBe(false);
    const again = await fetch(`${base}/ending/stream`, { method: 'DELETE', headers: auth });
    expect([again.status, await code(again)]).toEqual([404, 'not_found']);
  });
});
