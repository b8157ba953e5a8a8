// An encoder (ffmpeg, as OBS would) pushes RTMP to the event's ingest address: the right stream
// key gets its picture into the renditions; a wrong key is refused, and no log line shows a key.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import type { Ingest } from '../src/ingest.js';
import type { MediaService } from '../src/media-service.js';
import type { Rendition } from '../src/rendition.js';
import { hashStreamKey } from '../src/ingest-routes.js';
import type { RtmpGate } from '../src/rtmp-gate.js';
import {
  ENCODER_WAIT_MS,
  TEST_MEDIA_ENV,
  TWO_RUNGS,
  moreParts,
  segmentsReady,
  startMedia,
} from './media-harness.js';

const KEY = 'sk-7f3a9c2e41b04d8e';
const WRONG = 'sk-guessed-key-0000';
const ROTATED = 'sk-0c5d11e9a27b4f36';

function publish(port: number, key: string, seconds: number): ChildProcess {
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i'],
      'testsrc2=size=320x180:rate=30[out0];sine=frequency=440[out1]',
      ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv'],
      `rtmp://127.0.0.1:${port}/live/${key}`,
    ],
    { stdio: 'ignore' },
  );
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe.skipIf(!ffmpegAvailable())('RTMP ingest with a stream key', () => {
  let service: MediaService;
  let gate: RtmpGate;
  let ingest: Ingest;
  let rendition: Rendition;
  const logs: string[] = [];

  beforeAll(async () => {
    ({ service } = await startMedia(
      'rtmp-test-secret-0123456789abcdefgh',
      { ...TEST_MEDIA_ENV, MEDIA_LADDER: TWO_RUNGS },
      (line) => logs.push(line),
    ));
    gate = service.rtmpGate;
    ({ ingest } = (await service.addEncoderStream('match', hashStreamKey(KEY))).rtmp);
    rendition = service.stream('match')!.rendition('180p')!;
  });

  afterAll(async () => {
    await service?.close();
  });

  it('refuses a publisher with a wrong key and logs it without the key', async () => {
    const code = await exited(publish(gate.port, WRONG, 3));
    expect(code).not.toBe(0);
    expect(gate.refused).toBe(1);
    expect(logs).toContain('refused an RTMP publisher: wrong stream key');
    expect(rendition.window().segments).toEqual([]);
  }, 20_000);

  it('takes the picture of a publisher with the right key into every rendition', async () => {
    const encoder = publish(gate.port, KEY, 20);
    try {
      await segmentsReady(rendition, 2, ENCODER_WAIT_MS);
      expect(logs).toContain('RTMP publisher accepted for match');
      const low = service.stream('match')!.rendition('90p')!.window();
      expect(low.segments.length).toBeGreaterThan(0);
    } finally {
      encoder.kill('SIGKILL');
    }
  }, 75_000); // ENCODER_WAIT_MS and some: the wait, not this limit, says what was missing

  it('cuts the publisher on a key rotation, then refuses the old key and takes the new', async () => {
    const old = publish(gate.port, KEY, 30);
    try {
      await moreParts(rendition, 3, ENCODER_WAIT_MS);
      const info = await service.setStreamKey('match', hashStreamKey(ROTATED));
      expect(info).toMatchObject({
        source: 'encoder',
        state: 'live',
        ingest: { rtmp: `rtmp://127.0.0.1:${gate.port}/live` },
        publisher: null,
      });
      expect(await exited(old)).not.toBe(0);
      const refused = gate.refused;
      expect(await exited(publish(gate.port, KEY, 3))).not.toBe(0);
      expect(gate.refused).toBe(refused + 1);
      const fresh = publish(gate.port, ROTATED, 20);
      try {
        await moreParts(rendition, 3, ENCODER_WAIT_MS);
        expect(fresh.exitCode).toBe(null);
      } finally {
        fresh.kill('SIGKILL');
      }
    } finally {
      old.kill('SIGKILL');
    }
  }, 60_000);

  it('never shows a key in the log or in what it keeps of ffmpeg', () => {
    const everything = [...logs, ...ingest.stderr].join('\n');
    for (const key of [KEY, WRONG, ROTATED]) expect(everything).not.toContain(key);
  });
});
