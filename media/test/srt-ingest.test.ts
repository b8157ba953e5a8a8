// An encoder (ffmpeg, as OBS would) calls the event's SRT ingest with the stream key as its
// Stream ID: the right key gets its picture into the renditions and plays from the origin; a
// wrong or missing key gets SRT's "forbidden" rejection at once, logged without the key; and
// while one encoder publishes, a second one (on RTMP) is refused as busy.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import type { EncoderIngest, MediaService } from '../src/media-service.js';
import type { Rendition } from '../src/rendition.js';
import { hashStreamKey } from '../src/ingest-routes.js';
import {
  ENCODER_WAIT_MS,
  TEST_MEDIA_ENV,
  TWO_RUNGS,
  segmentsReady,
  startMedia,
  type StartedMedia,
} from './media-harness.js';

const KEY = 'sk_Vq3nX0c9YpR2m8LwT4zA6bK1dF7hJ5sE';
const WRONG = 'sk_guessed0000000000000000000000000';
const SECRET = 'srt-test-secret-0123456789abcdefghij';

/** The encoder gives up after this long without an answer; a refusal must come well before. */
const CONNECT_TIMEOUT_MS = 10_000;
const PATTERN = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30[out0];sine[out1]'];

function publishSrt(port: number, streamId: string | undefined, seconds: number): ChildProcess {
  const query = streamId === undefined ? '' : `&streamid=${encodeURIComponent(streamId)}`;
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', ...PATTERN],
      ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'mpegts'],
      `srt://127.0.0.1:${port}?connect_timeout=${CONNECT_TIMEOUT_MS}${query}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

function publishRtmp(port: number, key: string, seconds: number): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', ...PATTERN],
      ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv'],
      `rtmp://127.0.0.1:${port}/live/${key}`,
    ],
    { stdio: 'ignore' },
  );
}

/** Exit code and stderr, once the process ended. */
function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr += text));
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve({ code: child.exitCode, stderr });
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(!ffmpegAvailable())('SRT ingest with a stream key', () => {
  let harness: StartedMedia;
  let service: MediaService;
  let encoder: EncoderIngest;
  let rendition: Rendition;
  const logs: string[] = [];

  beforeAll(async () => {
    harness = await startMedia(SECRET, { ...TEST_MEDIA_ENV, MEDIA_LADDER: TWO_RUNGS }, (line) =>
      logs.push(line),
    );
    service = harness.service;
    encoder = await service.addEncoderStream('match', hashStreamKey(KEY));
    rendition = service.stream('match')!.rendition('180p')!;
  });

  afterAll(async () => {
    await service?.close();
  });

  it('shows the SRT address beside the RTMP one', () => {
    expect(service.streamInfo('match')).toMatchObject({
      source: 'encoder',
      ingest: {
        rtmp: `rtmp://127.0.0.1:${service.rtmpGate.port}/live`,
        srt: `srt://127.0.0.1:${service.srtGate.port}`,
      },
      publisher: null,
    });
  });

  it('rejects a caller with a wrong key at once and logs it without the key', async () => {
    const started = Date.now();
    const { code, stderr } = await finished(publishSrt(service.srtGate.port, WRONG, 5));
    expect(code).not.toBe(0);
    expect(stderr.toLowerCase()).toContain('reject');
    // Refused, not left to time out: SRT says "rejected" for a rejection, "timeout" otherwise.
    expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT_MS);
    expect(service.srtGate.refused).toBeGreaterThanOrEqual(1);
    expect(logs).toContain('refused an SRT publisher: wrong stream key');
    expect(rendition.window().segments).toEqual([]);
  }, 30_000);

  it('rejects a caller without a Stream ID', async () => {
    const { code } = await finished(publishSrt(service.srtGate.port, undefined, 5));
    expect(code).not.toBe(0);
    expect(logs).toContain('refused an SRT publisher: no stream id');
  }, 30_000);

  it('takes the right key into every rendition, plays it, and refuses a second publisher', async () => {
    const publisher = publishSrt(service.srtGate.port, KEY, 30);
    try {
      await segmentsReady(rendition, 2, ENCODER_WAIT_MS);
      expect(logs).toContain('SRT publisher accepted for match');
      expect(service.streamInfo('match')).toMatchObject({ state: 'live', publisher: 'srt' });
      expect(service.stream('match')!.rendition('90p')!.window().segments.length).toBeGreaterThan(
        0,
      );
      // The origin serves it to a viewer with a token.
      const master = await fetch(harness.masterUrl('match', 'v1', 300));
      expect(master.status).toBe(200);
      const media = new URL(
        (await master.text()).split('\n').find((l) => l.endsWith('.m3u8') || l.includes('.m3u8?'))!,
        master.url,
      );
      const playlist = await (await fetch(media)).text();
      expect(playlist).toContain('#EXT-X-PART:');
      // One publisher at a time: an RTMP encoder with the right key is refused while SRT is live.
      const refused = service.rtmpGate.refused;
      expect((await finished(publishRtmp(service.rtmpGate.port, KEY, 3))).code).not.toBe(0);
      expect(service.rtmpGate.refused).toBe(refused + 1);
      expect(logs).toContain('refused an RTMP publisher for match: another publisher is live');
      expect(publisher.exitCode).toBe(null);
      // A rotation shuts the SRT publisher down; the slot is free again for the new key.
      const ended = finished(publisher);
      await service.setStreamKey('match', hashStreamKey(`${KEY}-rotated`));
      expect((await ended).code).not.toBe(0);
      expect(logs).toContain('stream key of match rotated: cut 1 SRT publisher(s)');
      expect(service.streamInfo('match')!.publisher).toBe(null);
    } finally {
      publisher.kill('SIGKILL');
    }
  }, 60_000);

  it('never shows a key in the log or in what it keeps of ffmpeg', () => {
    const everything = [...logs, ...encoder.srt.ingest.stderr, ...encoder.rtmp.ingest.stderr].join(
      '\n',
    );
    for (const key of [KEY, WRONG, `${KEY}-rotated`]) expect(everything).not.toContain(key);
  });
});
