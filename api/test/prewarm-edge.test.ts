// Readiness item `cdn_edge`: with a media service configured, the pre-warm fetches the event's
// master playlist, media playlists and init segments through MEDIA_PUBLIC_URL, with a token of
// its own, and reports what it fetched or the status it met. A small HTTP server stands for the
// edge here; media/test/edge-warm.test.ts runs the same warm-up through a real nginx edge.

import { checkPlaybackToken } from '@fanfare/media';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlHlsPlaybackIssuer, createApp } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const SECRET = Buffer.from('e'.repeat(32));
const FILES: Record<string, string> = {
  'master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=864000\n360p/index.m3u8\n',
  '360p/index.m3u8': '#EXTM3U\n#EXT-X-MAP:URI="init-a-0.mp4"\n#EXTINF:1.0,\nseg-a-0.m4s\n',
  '360p/init-a-0.mp4': 'init',
};

let fx: Fixture;
let edge: Server;
let app: ReturnType<typeof createApp>;
const asked: string[] = [];
beforeAll(async () => {
  fx = await createFixture();
  await fx.seedEvent('final', 'scheduled');
  await fx.seedEvent('dark', 'scheduled');
  edge = createServer((req, res) => {
    const [, , eventId, token, ...rest] = (req.url ?? '').split('/');
    const file = rest.join('/');
    asked.push(`${eventId}/${file}`);
    const check = checkPlaybackToken(SECRET, token, eventId ?? '', fx.clock.now() / 1000);
    const body = eventId === 'final' ? FILES[file] : undefined;
    res.writeHead(!check.ok ? 401 : body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((resolve) => edge.listen(0, '127.0.0.1', resolve));
  const publicUrl = `http://127.0.0.1:${(edge.address() as AddressInfo).port}`;
  app = createApp({ ...fx.deps, playback: new LlHlsPlaybackIssuer({ secret: SECRET, publicUrl }) });
});
afterAll(async () => {
  edge.closeAllConnections();
  await new Promise<void>((resolve) => edge.close(() => resolve()));
  await fx.close();
});

async function edgeItem(eventId: string) {
  const res = await app.request(`/v1/events/${eventId}/prewarm`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await fx.staffToken('sre')}`,
    },
    body: JSON.stringify({ expectedPeakFans: 100, expectedJoinsPerSec: 5 }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { readiness: { item: string }[] };
  return body.readiness.find((r) => r.item === 'cdn_edge');
}

describe('pre-warm of the CDN edge', () => {
  it('fetches the playlists and init segments through the edge with a valid token', async () => {
    asked.length = 0;
    expect(await edgeItem('final')).toEqual({
      item: 'cdn_edge',
      state: 'ready',
      reason: `fetched the master playlist, 1 media playlist(s) and 1 init segment(s), ${Object.values(FILES).join('').length} bytes, through http://127.0.0.1:${(edge.address() as AddressInfo).port}`,
    });
    expect(asked).toEqual([
      'final/master.m3u8',
      'final/360p/index.m3u8',
      'final/360p/init-a-0.mp4',
    ]);
  });

  it('fails with the status the edge answered', async () => {
    expect(await edgeItem('dark')).toEqual({
      item: 'cdn_edge',
      state: 'failed',
      reason: 'master playlist master.m3u8 answered 404',
    });
  });
});
