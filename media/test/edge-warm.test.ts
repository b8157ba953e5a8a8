// The pre-warm's edge warm-up (edge-warm.ts) through a real nginx edge in front of the origin:
// it requests the master playlist, each media playlist and each init segment once through the
// edge, so the edge has the init segments cached (a player's request then never reaches the
// origin); for an event the origin does not stream it reports the status.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmEdge } from '../src/edge-warm.js';
import { Origin } from '../src/origin.js';
import { mintPlaybackToken } from '../src/playback-token.js';
import { TEST_SPECS, syntheticStream } from '../src/stream-testing.js';
import {
  edgeOverOrigin,
  nginxAvailable,
  type EdgeOverOrigin,
  type NginxEdge,
} from './nginx-edge.js';

const SECRET = Buffer.alloc(32, 7);

describe.skipIf(!nginxAvailable())('edge warm-up through nginx', () => {
  let origin: Origin;
  let front: EdgeOverOrigin | undefined;
  let edge: NginxEdge;
  const seen: string[] = [];

  beforeAll(async () => {
    const live = syntheticStream('demo', Date.now);
    live.feed(6);
    origin = new Origin({
      stream: (id) => (id === 'demo' ? live.stream : undefined),
      tokenSecret: SECRET,
      now: Date.now,
      corsOrigin: '*',
    });
    front = await edgeOverOrigin(origin, (path) => {
      // Content the origin serves, not the edge's token checks (`/auth/…` subrequests).
      if (!path.startsWith('/auth/')) seen.push(path);
    });
    edge = front.edge;
  });

  afterAll(async () => {
    await front?.close();
  });

  const master = (eventId: string, viewerId: string) => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = mintPlaybackToken(SECRET, { eventId, viewerId, exp });
    return `http://127.0.0.1:${edge.port}/live/${eventId}/${token}/master.m3u8`;
  };

  it('fetches the master playlist, every media playlist and every init segment once', async () => {
    const warm = await warmEdge(master('demo', 'prewarm'));
    expect(warm).toMatchObject({
      ok: true,
      master: 1,
      mediaPlaylists: TEST_SPECS.length,
      initSegments: TEST_SPECS.length,
    });
    const inits = seen.filter((url) => /\/init-[^/]+\.mp4$/.test(url));
    expect(inits).toHaveLength(TEST_SPECS.length);
    // A fan's player after the warm-up: the init segments come from the edge's cache.
    const before = seen.length;
    for (const url of inits) {
      const file = url.replace('/live/demo/', '');
      const res = await fetch(master('demo', 'fan-1').replace('master.m3u8', file));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache-status')).toBe('HIT');
      await res.arrayBuffer();
    }
    expect(seen.slice(before).filter((url) => url.includes('/init-'))).toEqual([]);
  });

  it('reports the status when the origin has no stream for the event', async () => {
    expect(await warmEdge(master('other', 'prewarm'))).toEqual({
      ok: false,
      reason: 'master playlist master.m3u8 answered 404',
    });
  });
});
