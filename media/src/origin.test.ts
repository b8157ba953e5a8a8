// The origin over real HTTP on a free port, on each plain-HTTP transport (uWS and node:http), fed with synthetic fragments (no ffmpeg) and a timer
// the test fires by hand, so blocking and its bound are checked without sleeping.

import * as HLS from 'hls-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Origin, type SetTimer } from './origin.js';
import { OriginServer } from './origin-server.js';
import { mintPlaybackToken } from './playback-token.js';
import { syntheticStream, type SyntheticStream } from './stream-testing.js';

const SECRET = Buffer.alloc(32, 9);

const nowMs = Date.UTC(2026, 11, 3, 18, 0, 0);
let live: SyntheticStream;
let origin: Origin;
let server: OriginServer;
let timers: { fn: () => void; ms: number; cancelled: boolean }[];
let holdWaiters: (() => void)[];
let refusals: string[];

const fakeTimer: SetTimer = (fn, ms) => {
  const t = { fn, ms, cancelled: false };
  timers.push(t);
  return () => (t.cancelled = true);
};

function token(eventId = 'demo', expS = Math.floor(nowMs / 1000) + 60): string {
  return mintPlaybackToken(SECRET, { eventId, viewerId: 'fan-1', exp: expS });
}

function url(path: string, tok = token()): string {
  return `http://127.0.0.1:${server.port}/live/demo/${tok}/${path}`;
}

/** Resolves when the origin starts holding one more request. */
function nextHold(): Promise<void> {
  return new Promise((resolve) => holdWaiters.push(resolve));
}

// Every transport the listener can pick runs the same suite (TLS has its own file).
describe.each(['uws', 'node'] as const)('origin over %s', (transport) => {
  beforeEach(async () => {
    timers = [];
    holdWaiters = [];
    refusals = [];
    live = syntheticStream('demo', () => nowMs);
    origin = new Origin({
      stream: (id) => (id === 'demo' ? live.stream : undefined),
      tokenSecret: SECRET,
      now: () => nowMs,
      corsOrigin: '*',
      setTimer: fakeTimer,
      onHold: () => holdWaiters.shift()?.(),
      onRefusal: (code) => refusals.push(code),
    });
    server = new OriginServer(origin, { host: '127.0.0.1', port: 0, transport });
    await server.start();
  });

  afterEach(async () => {
    await server.close();
  });

  async function problem(res: Response): Promise<{ status: number; code: string }> {
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { code: string; status: number };
    expect(body.status).toBe(res.status);
    return { status: res.status, code: body.code };
  }

  describe('playback authorisation', () => {
    beforeEach(() => live.feed(6));

    it('serves the master playlist with a valid token, listing every rendition', async () => {
      const res = await fetch(url('master.m3u8'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      const master = HLS.parse(await res.text()) as HLS.types.MasterPlaylist;
      expect(master.variants.map((v) => v.uri)).toEqual(['360p/index.m3u8', '180p/index.m3u8']);
    });

    it('refuses the URL without its token with 401 token_missing', async () => {
      const res = await fetch(`http://127.0.0.1:${server.port}/live/demo/master.m3u8`);
      expect(await problem(res)).toEqual({ status: 401, code: 'token_missing' });
    });

    it('refuses an expired token with 401 token_expired', async () => {
      const res = await fetch(url('360p/index.m3u8', token('demo', Math.floor(nowMs / 1000) - 1)));
      expect(await problem(res)).toEqual({ status: 401, code: 'token_expired' });
    });

    it('refuses a tampered token with 403 token_invalid', async () => {
      const t = token();
      const tampered = t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA');
      const res = await fetch(url('360p/index.m3u8', tampered));
      expect(await problem(res)).toEqual({ status: 403, code: 'token_invalid' });
    });

    it("refuses another event's token with 403 token_wrong_event, on parts too", async () => {
      const res = await fetch(url('360p/part-test1-0.m4s', token('final')));
      expect(await problem(res)).toEqual({ status: 403, code: 'token_wrong_event' });
      expect(refusals).toEqual(['token_wrong_event']);
    });

    it('answers 404 for an event without a stream, once the token is valid', async () => {
      const t = mintPlaybackToken(SECRET, { eventId: 'other', viewerId: 'v', exp: 4e9 });
      const res = await fetch(`http://127.0.0.1:${server.port}/live/other/${t}/master.m3u8`);
      expect(await problem(res)).toEqual({ status: 404, code: 'not_found' });
    });
  });

  describe('media and cache headers', () => {
    beforeEach(() => live.feed(6));

    it('serves parts, segments and init segments as immutable, with CORS', async () => {
      for (const path of [
        '360p/part-test1-5.m4s',
        '360p/seg-test1-0.m4s',
        '360p/init-test1-0.mp4',
      ]) {
        const res = await fetch(url(path));
        expect(res.status, path).toBe(200);
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
      }
      const part = await fetch(url('360p/part-test1-5.m4s'));
      expect(await part.text()).toBe('360p-frag5');
      const segment = await fetch(url('180p/seg-test1-0.m4s'));
      expect(await segment.text()).toBe([0, 1, 2, 3, 4].map((i) => `180p-frag${i}`).join(''));
    });

    it('serves a playlist without directives as short-lived', async () => {
      const res = await fetch(url('360p/index.m3u8'));
      expect(res.headers.get('cache-control')).toBe('public, max-age=1');
      const text = await res.text();
      expect(text).toContain('#EXT-X-PART:DURATION=0.200,URI="part-test1-5.m4s",INDEPENDENT=YES');
      expect(text).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-test1-6.m4s"');
    });

    it('renders a playlist once per version: a new part is in the next answer', async () => {
      const get = async (q = ''): Promise<string> =>
        (await fetch(url(`360p/index.m3u8${q}`))).text();
      const first = await get();
      expect(await get()).toBe(first); // the same version, served from the rendered copy
      const delta = await get('?_HLS_skip=YES');
      live.feed(1);
      const next = await get();
      expect(next).not.toBe(first);
      expect(next).toContain('URI="part-test1-6.m4s"');
      expect(next).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-test1-7.m4s"');
      const nextDelta = await get('?_HLS_skip=YES');
      expect(nextDelta).not.toBe(delta);
      expect(nextDelta).toContain('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-test1-7.m4s"');
    });

    it('reports the other rendition in each media playlist', async () => {
      const text = await (await fetch(url('180p/index.m3u8'))).text();
      expect(text).toContain(
        '#EXT-X-RENDITION-REPORT:URI="../360p/index.m3u8",LAST-MSN=1,LAST-PART=0',
      );
      expect(text).not.toContain('URI="../180p/index.m3u8"');
    });

    it('answers HEAD with headers only, and a preflight with the allowed methods', async () => {
      const head = await fetch(url('360p/part-test1-0.m4s'), { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String('360p-frag0'.length));
      expect(await head.text()).toBe('');
      const options = await fetch(url('360p/index.m3u8'), { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    });

    it('refuses other methods with 405', async () => {
      const res = await fetch(url('360p/index.m3u8'), { method: 'POST' });
      expect(await problem(res)).toEqual({ status: 405, code: 'method_not_allowed' });
    });
  });

  describe('blocking playlist reload', () => {
    beforeEach(() => live.feed(6)); // segment 0 complete, segment 1 holds part 0

    it('answers at once when the part already exists, cacheable by its query', async () => {
      const res = await fetch(url('360p/index.m3u8?_HLS_msn=1&_HLS_part=0'));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=3');
      expect(origin.held).toBe(0);
    });

    it('holds the request until the part is there', async () => {
      const held = nextHold();
      const pending = fetch(url('360p/index.m3u8?_HLS_msn=1&_HLS_part=2'));
      await held;
      live.feed(1);
      expect(origin.held).toBe(1); // part 1 is not part 2
      live.feed(1);
      const res = await pending;
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('URI="part-test1-7.m4s"'); // segment 1, part 2
      expect(origin.held).toBe(0);
    });

    it('holds a request for a whole segment until the segment completes', async () => {
      const held = nextHold();
      const pending = fetch(url('360p/index.m3u8?_HLS_msn=1'));
      await held;
      live.feed(4); // parts 1-4 of segment 1: still open
      expect(origin.held).toBe(1);
      live.feed(1); // a keyframe opens segment 2 and closes 1
      const text = await (await pending).text();
      expect(text).toContain('seg-test1-1.m4s');
    });

    it('refuses an msn more than two segments ahead with 400 blocking_too_far', async () => {
      const res = await fetch(url('360p/index.m3u8?_HLS_msn=4'));
      expect(await problem(res)).toEqual({ status: 400, code: 'blocking_too_far' });
    });

    it('answers 503 stream_stalled when the bound of three target durations passes', async () => {
      const held = nextHold();
      const pending = fetch(url('360p/index.m3u8?_HLS_msn=2&_HLS_part=0'));
      await held;
      const timer = timers.at(-1)!;
      expect(timer.ms).toBe(3000);
      timer.fn();
      const res = await pending;
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await problem(res)).toEqual({ status: 503, code: 'stream_stalled' });
    });

    it('refuses malformed directives with 400 bad_directive', async () => {
      for (const q of ['_HLS_msn=-1', '_HLS_part=1', '_HLS_msn=1&_HLS_part=x', '_HLS_skip=NO']) {
        const res = await fetch(url(`360p/index.m3u8?${q}`));
        expect(await problem(res), q).toEqual({ status: 400, code: 'bad_directive' });
      }
    });

    it('releases the hold of a client that went away', async () => {
      const held = nextHold();
      const controller = new AbortController();
      const pending = fetch(url('360p/index.m3u8?_HLS_msn=1&_HLS_part=3'), {
        signal: controller.signal,
      }).catch((err: unknown) => err);
      await held;
      controller.abort();
      await pending;
      await new Promise<void>((resolve) => {
        const check = (): void => (origin.held === 0 ? resolve() : void setImmediate(check));
        check();
      });
      expect(timers.at(-1)!.cancelled).toBe(true);
    });
  });

  describe('preload-hinted parts', () => {
    beforeEach(() => live.feed(6));

    it('holds the hinted part until it is complete, then serves it', async () => {
      const held = nextHold();
      const pending = fetch(url('360p/part-test1-6.m4s'));
      await held;
      live.feed(1);
      const res = await pending;
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('360p-frag6');
    });

    it('answers 404 for a part far past the live edge, without holding', async () => {
      const res = await fetch(url('360p/part-test1-99.m4s'));
      expect(await problem(res)).toEqual({ status: 404, code: 'not_found' });
    });

    it('answers 410 for a part and a segment that rolled out of the window', async () => {
      live.feed(60); // window of 10 segments: segment 0 and its parts are long gone
      expect(await problem(await fetch(url('360p/part-test1-0.m4s')))).toEqual({
        status: 410,
        code: 'gone',
      });
      expect(await problem(await fetch(url('360p/seg-test1-0.m4s')))).toEqual({
        status: 410,
        code: 'gone',
      });
    });
  });

  describe('delta updates', () => {
    it('answers _HLS_skip=YES with EXT-X-SKIP and a shorter playlist', async () => {
      live.feed(52); // 10 complete segments in the window and an open one
      const full = await (await fetch(url('360p/index.m3u8'))).text();
      const delta = await (await fetch(url('360p/index.m3u8?_HLS_skip=YES'))).text();
      expect(delta).toMatch(/#EXT-X-SKIP:SKIPPED-SEGMENTS=\d+/);
      expect(delta.length).toBeLessThan(full.length);
      const parsed = HLS.parse(delta) as HLS.types.MediaPlaylist;
      expect(parsed.skip).toBeGreaterThan(0);
    });
  });

  describe('encoder restart', () => {
    it('answers with EXT-X-DISCONTINUITY and the new init segment, not a broken playlist', async () => {
      live.feed(7);
      live.restart();
      live.feed(6);
      const text = await (await fetch(url('360p/index.m3u8'))).text();
      const lines = text.split('\n');
      const at = lines.indexOf('#EXT-X-DISCONTINUITY');
      expect(at).toBeGreaterThan(0);
      expect(lines[at + 1]).toBe('#EXT-X-MAP:URI="init-test1-1.mp4"');
      const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
      expect(parsed.segments.filter((s) => s.discontinuity)).toHaveLength(1);
      expect((await fetch(url('360p/init-test1-1.mp4'))).status).toBe(200);
    });
  });
});
