// Request collapsing at a real CDN edge: many players, each with its own token, ask nginx for the
// same blocking playlist and the same hinted part; the origin sees one request for each. The
// origin is fed synthetic parts by the test, so the part arrives exactly when the test says.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Origin } from '../src/origin.js';
import { mintPlaybackToken } from '../src/playback-token.js';
import { syntheticStream, type SyntheticStream } from '../src/stream-testing.js';
import {
  edgeOverOrigin,
  nginxAvailable,
  type EdgeOverOrigin,
  type NginxEdge,
} from './nginx-edge.js';

const SECRET = Buffer.alloc(32, 5);
const CLIENTS = 40;

describe.skipIf(!nginxAvailable())('nginx edge in front of the origin', () => {
  let live: SyntheticStream;
  let origin: Origin;
  let front: EdgeOverOrigin | undefined;
  let edge: NginxEdge;
  const seen = new Map<string, number>();
  let held: (() => void)[] = [];

  beforeAll(async () => {
    live = syntheticStream('demo', Date.now);
    live.feed(6); // segment 0 complete, segment 1 has part 0 (counter 5)
    origin = new Origin({
      stream: (id) => (id === 'demo' ? live.stream : undefined),
      tokenSecret: SECRET,
      now: Date.now,
      corsOrigin: '*',
      onHold: () => held.shift()?.(),
      // Held requests are not answered 503 after the blocking bound (3 s of the real clock
      // here, origin.test.ts tests it): the first two are held while the test sends the other
      // 78 and waits for nginx to take them, which a loaded machine may stretch past 3 s.
      setTimer: () => () => undefined,
    });
    // Counted by path without the token segment, plus the query.
    front = await edgeOverOrigin(origin, (path) => seen.set(path, (seen.get(path) ?? 0) + 1));
    edge = front.edge;
  });

  afterAll(async () => {
    await front?.close();
  });

  /** A URL through the edge for viewer `i` (each viewer has its own token). */
  const tokens = new Map<number, string>();
  function viaEdge(i: number, file: string): string {
    let token = tokens.get(i);
    if (!token) {
      const exp = Math.floor(Date.now() / 1000) + 600;
      token = mintPlaybackToken(SECRET, { eventId: 'demo', viewerId: `viewer-${i}`, exp });
      tokens.set(i, token);
    }
    return `http://127.0.0.1:${edge.port}/live/demo/${token}/360p/${file}`;
  }

  it('collapses a blocking playlist request and a hinted part request of many players into one origin request each', async () => {
    const playlist = 'index.m3u8?_HLS_msn=1&_HLS_part=1';
    const part = 'part-test1-6.m4s';
    const originHolds = new Promise<void>((resolve) => {
      let n = 0;
      held = Array.from({ length: 2 }, () => () => ++n === 2 && resolve());
    });
    const started = performance.now();
    const requests = Array.from({ length: CLIENTS }, (_, i) =>
      Promise.all([fetch(viaEdge(i, playlist)), fetch(viaEdge(i, part))]),
    );
    await originHolds; // the first of each reached the origin and is held there
    // The rest wait on the cache lock. Had one waited out proxy_cache_lock_timeout (10 s) it
    // would reach the origin and be counted: this took ~0.5 s, alone and beside two busy cores.
    await edge.writingTo(2 * CLIENTS);
    const fedAt = performance.now();
    live.feed(1);
    const answers = await Promise.all(requests);
    const doneAt = performance.now();
    for (const [p, m] of answers) {
      expect(p.status).toBe(200);
      expect(await p.text()).toContain('URI="part-test1-6.m4s"');
      expect(m.status).toBe(200);
      expect(await m.text()).toBe('360p-frag6');
    }
    expect(seen.get(`/live/demo/360p/${playlist}`)).toBe(1);
    expect(seen.get(`/live/demo/360p/${part}`)).toBe(1);
    const statuses = answers.map(([p]) => p.headers.get('x-cache-status'));
    console.log(
      `edge: ${CLIENTS} players, waited ${(fedAt - started).toFixed(0)} ms for the part; all answered ` +
        `${(doneAt - fedAt).toFixed(0)} ms after it arrived; cache statuses ${JSON.stringify(countOf(statuses))}`,
    );
  });

  it('serves a segment to many players from one origin request', async () => {
    const requests = Array.from({ length: CLIENTS }, (_, i) =>
      fetch(viaEdge(i, 'seg-test1-0.m4s')),
    );
    const answers = await Promise.all(requests);
    for (const a of answers) expect(a.status).toBe(200);
    expect(seen.get('/live/demo/360p/seg-test1-0.m4s')).toBe(1);
  });

  it('never caches a refusal: the origin checks every token it sees', async () => {
    const url = viaEdge(0, 'seg-test1-0.m4s').replace(
      /\/live\/demo\/[^/]+\//,
      '/live/demo/v1.bad/',
    );
    expect((await fetch(url)).status).toBe(401);
  });
});

function countOf(values: (string | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}
