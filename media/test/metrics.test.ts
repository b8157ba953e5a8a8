// The media process's /metrics on the origin's port, fed by a real ffmpeg: origin requests by kind
// and status (a held request the client abandons counts as `aborted`), held requests, ingests,
// parts published and ffmpeg restarts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import type { Ingest } from '../src/ingest.js';
import type { MediaService } from '../src/media-service.js';
import { TEST_MEDIA_ENV, startMedia } from './media-harness.js';

const SECRET = 'metrics-secret-0123456789abcdefghij';
const hasFfmpeg = ffmpegAvailable();
const WAIT_MS = 20_000;

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.skipIf(!hasFfmpeg)('media /metrics', () => {
  let service: MediaService;
  let ingest: Ingest;
  let base = '';
  let origin = '';

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${origin}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };
  async function until(what: string, test: (text: string) => boolean): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const text = await scrape();
      if (test(text)) return text;
      if (Date.now() > deadline) throw new Error(`${what}:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    const media = await startMedia(SECRET, { ...TEST_MEDIA_ENV, MEDIA_LADDER: '90p:160x90:100k' });
    service = media.service;
    ingest = service.addStream('match', { kind: 'demo', width: 160, height: 90 });
    base = media.masterUrl('match', 'it').replace(/master\.m3u8$/, '');
    origin = new URL(base).origin;
  }, 30_000);

  afterAll(async () => {
    await service?.close();
  });

  it('counts parts as ffmpeg publishes them, and the ingest running', async () => {
    const text = await until(
      'parts published',
      (t) => (sample(t, 'fanfare_media_parts_published_total{rendition="90p"}') ?? 0) >= 3,
    );
    expect(sample(text, 'fanfare_media_ingests{state="running"}')).toBe(1);
    expect(sample(text, 'fanfare_media_streams')).toBe(1);
    expect(sample(text, 'fanfare_media_ffmpeg_restarts_total')).toBe(0);
  });

  it('counts origin requests by kind and status, and a held one while held', async () => {
    expect((await fetch(`${base}master.m3u8`)).status).toBe(200);
    expect((await fetch(`${base}90p/index.m3u8`)).status).toBe(200);
    expect((await fetch(`${origin}/live/match/bad-token/90p/index.m3u8`)).status).toBe(401);
    // A blocking reload far enough ahead to be held, then abandoned by its client.
    const msn = service.stream('match')!.rendition('90p')!.window().segments.at(-1)!.msn + 1;
    const abort = new AbortController();
    const held = fetch(`${base}90p/index.m3u8?_HLS_msn=${msn}`, { signal: abort.signal }).catch(
      () => undefined,
    );
    await until('the request held', (t) => sample(t, 'fanfare_media_origin_held_requests') === 1);
    abort.abort();
    await held;
    const text = await until(
      'the abandoned request counted',
      (t) =>
        sample(
          t,
          'fanfare_media_origin_requests_total{kind="playlist_blocking",status="aborted"}',
        ) === 1,
    );
    expect(sample(text, 'fanfare_media_origin_requests_total{kind="master",status="200"}')).toBe(1);
    expect(sample(text, 'fanfare_media_origin_requests_total{kind="playlist",status="200"}')).toBe(
      1,
    );
    expect(sample(text, 'fanfare_media_origin_requests_total{kind="playlist",status="401"}')).toBe(
      1,
    );
    expect(sample(text, 'fanfare_media_origin_held_requests')).toBe(0);
    // The scrapes themselves are not origin requests.
    expect(text).not.toMatch(/kind="other"/);
  });

  it('counts ffmpeg started again after it died', async () => {
    process.kill(ingest.pid!, 'SIGKILL');
    const text = await until(
      'the restart',
      (t) => sample(t, 'fanfare_media_ffmpeg_restarts_total') === 1,
    );
    expect(text).toMatch(/^fanfare_media_ingests\{state="(running|waiting)"\} 1$/m);
  });
});
