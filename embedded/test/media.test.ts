// The outside contract of live video under `pnpm start`: the engine runs the media process as a
// child with the demo test pattern, the demo join answers a playable `playback.url` (a master
// playlist with two renditions whose media playlists carry the LL-HLS tags), the same URLs
// without the token or with another event's token are refused, and closing the engine leaves no
// media process and no ffmpeg behind. Tiny ladder (180p and 90p at 15 fps, ultrafast) so two
// cores keep up.

import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@fanfare/gateway';
import type { Playback } from '@fanfare/protocol';
import { startEngine, type Engine } from '../src/index.js';
import { ffmpegAvailable } from '@fanfare/media';

/** The pids of a process's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return tasks.split(' ').filter(Boolean).map(Number);
  } catch {
    return []; // the process is gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function join(engine: Engine, eventId: string): Promise<Playback> {
  const res = await fetch(`${engine.apiUrl}/v1/events/${eventId}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { playback?: Playback };
  expect(body.playback).toMatchObject({ tier: 'll-hls' });
  return body.playback!;
}

/** The master playlist once the stream is live: 503 `stream_not_live` says when to ask again. */
async function masterWhenLive(url: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(url);
    if (res.status === 200) return res.text();
    expect(res.status).toBe(503);
    if (Date.now() > deadline) throw new Error('the demo stream did not go live in 30 s');
    await sleep(Number(res.headers.get('retry-after') ?? 1) * 250); // the origin's own Retry-After
  }
}

const logs: string[] = [];

describe.skipIf(!ffmpegAvailable())('live video under the embedded engine', () => {
  let engine: Engine;
  let producer: string;

  beforeAll(async () => {
    engine = await startEngine(
      {
        API_PORT: '0',
        GATEWAY_PORT: '0',
        MEDIA_PORT: '0',
        MEDIA_RTMP_PORT: '0',
        MEDIA_SRT_PORT: '0',
        PGLITE_DATA_DIR: 'memory',
        MEDIA_LADDER: '180p:320x180:250k,90p:160x90:80k',
        MEDIA_FRAME_RATE: '15',
        MEDIA_PRESET: 'ultrafast',
      },
      { apiLogger: silentLogger, gatewayLogger: silentLogger, mediaLog: (l) => logs.push(l) },
    );
    producer = engine.producerToken;
    // A hang limit, over the suite's 90 s: PGlite (3 s alone, 30 s and more on a loaded machine)
    // and the media process's tsx start (its own limit 30 s) come before the engine is up.
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
  });

  it('answers the demo join with a master playlist URL that plays as it is', async () => {
    const playback = await join(engine, 'demo');
    expect(playback.url.startsWith(`${engine.media!.url}/live/demo/`)).toBe(true);
    const master = await masterWhenLive(playback.url);
    const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    expect(variants.length).toBeGreaterThanOrEqual(2);
    const uri = master.split('\n').find((l) => l.endsWith('.m3u8'))!;
    // A blocking request for segment 1: answered as soon as it exists, no polling.
    const media = await (await fetch(new URL(`${uri}?_HLS_msn=1`, playback.url))).text();
    for (const tag of [
      '#EXT-X-PART-INF:PART-TARGET=',
      '#EXT-X-PART:',
      '#EXT-X-PRELOAD-HINT:TYPE=PART',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES',
      '#EXT-X-PROGRAM-DATE-TIME:',
    ]) {
      expect(media).toContain(tag);
    }
    expect(media).toMatch(/PART-HOLD-BACK=[\d.]+/);
  }, 60_000);

  it('refuses the URL without its token (401) or with another event’s token (403)', async () => {
    const api = (path: string, body: unknown) =>
      fetch(`${engine.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${producer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await api('/v1/events', { id: 'other', title: 'Other' })).status).toBe(201);
    expect((await api('/v1/events/other/state', { state: 'live' })).status).toBe(200);
    const demo = await join(engine, 'demo');
    const other = await join(engine, 'other');
    const [, token] = /\/live\/demo\/([^/]+)\//.exec(demo.url)!;
    const [, otherToken] = /\/live\/other\/([^/]+)\//.exec(other.url)!;
    const without = await fetch(demo.url.replace(`/${token}/`, '/'));
    expect([without.status, ((await without.json()) as { code: string }).code]).toEqual([
      401,
      'token_missing',
    ]);
    for (const path of ['master.m3u8', '180p/index.m3u8']) {
      const url = demo.url.replace(`${token}/master.m3u8`, `${otherToken!}/${path}`);
      const res = await fetch(url);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([
        403,
        'token_wrong_event',
      ]);
    }
  });

  it('shows the demo stream in the stream route: live, two renditions, a bitrate', async () => {
    const read = async () => {
      const res = await fetch(`${engine.apiUrl}/v1/events/demo/stream`, {
        headers: { authorization: `Bearer ${producer}` },
      });
      expect(res.status).toBe(200);
      const { stream } = (await res.json()) as {
        stream: { source: string; state: string; renditions: unknown[]; lastPartAt: number };
      };
      expect(stream.lastPartAt).toBeLessThanOrEqual(Date.now()); // one host, one clock
      return stream;
    };
    const stream = await read();
    expect(stream).toMatchObject({ source: 'demo', state: 'live' });
    expect(stream.renditions).toHaveLength(2);
    // The last part is the encoder's latest: it moves on. Not a fixed age (an encoder starved
    // by a loaded machine falls seconds behind), but a newer part within a hang's limit.
    await expect
      .poll(async () => (await read()).lastPartAt, { timeout: 30_000, interval: 250 })
      .toBeGreaterThan(stream.lastPartAt);
  });

  it('stops the media process and its ffmpeg with the engine', async () => {
    const pid = engine.media!.pid!;
    const ffmpegs = childrenOf(pid);
    expect(ffmpegs.length).toBeGreaterThanOrEqual(1);
    await engine.close();
    for (const p of [pid, ...ffmpegs]) expect(alive(p), `pid ${p}`).toBe(false);
  });
});
