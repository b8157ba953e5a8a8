// Every event's encoders publish to the same two ports, routed by key: two events publish through
// the one RTMP port (and the one SRT port) and each picture reaches its own event's stream; an
// event's end sends its key nowhere; and after the media process restarts on the same ports with
// the key restored (as the API's restorer does), the URL the producer typed still works.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMediaConfig } from '../src/config.js';
import { ffmpegAvailable } from '../src/ffmpeg-check.js';
import { hashStreamKey } from '../src/ingest-routes.js';
import { MediaService } from '../src/media-service.js';
import type { Rendition } from '../src/rendition.js';
import { ENCODER_WAIT_MS, moreParts } from './media-harness.js';

const KEY_A = 'sk-a-4c1d9e0b7f2a';
const KEY_B = 'sk-b-93e5a1c08d6f';
const PATTERN = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=15[out0];sine[out1]'];

function publish(url: string, seconds: number): ChildProcess {
  const format = url.startsWith('srt:') ? 'mpegts' : 'flv';
  return spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', ...PATTERN],
      ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', format, url],
    ],
    { stdio: 'ignore' },
  );
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function parts(rendition: Rendition): number {
  return rendition.window().segments.reduce((n, s) => n + s.parts.length, 0);
}

function env(rtmpPort: number, srtPort: number) {
  return {
    MEDIA_PORT: '0',
    MEDIA_RTMP_PORT: String(rtmpPort),
    MEDIA_SRT_PORT: String(srtPort),
    MEDIA_TOKEN_SECRET: 'shared-ingest-secret-0123456789abcdef',
    MEDIA_LADDER: '90p:160x90:100k',
    MEDIA_FRAME_RATE: '15',
    MEDIA_PRESET: 'ultrafast',
    MEDIA_DEMO_EVENT: '',
  };
}

describe.skipIf(!ffmpegAvailable())('one ingest port for every event, routed by key', () => {
  const services: MediaService[] = [];
  const encoders: ChildProcess[] = [];
  const logs: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  const log = (line: string): void => {
    logs.push(line);
    for (const w of waiters.filter((w) => w.line === line)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  /** Resolves at the next log line `line`. */
  const next = (line: string): Promise<void> =>
    new Promise((resolve) => waiters.push({ line, resolve }));

  async function started(rtmpPort = 0, srtPort = 0): Promise<MediaService> {
    const service = new MediaService(loadMediaConfig(env(rtmpPort, srtPort)), {
      log,
    });
    services.push(service);
    await service.start();
    return service;
  }
  function encoder(url: string, seconds: number): ChildProcess {
    const child = publish(url, seconds);
    encoders.push(child);
    return child;
  }

  afterAll(async () => {
    for (const child of encoders) child.kill('SIGKILL');
    for (const service of services) await service.close();
  });

  it('takes two events through the same ports, each to its own stream', async () => {
    const service = await started();
    await service.setStreamKey('a', hashStreamKey(KEY_A));
    await service.setStreamKey('b', hashStreamKey(KEY_B));
    const [a, b] = [service.streamInfo('a')!, service.streamInfo('b')!];
    expect(a.ingest).toEqual(b.ingest);
    expect(a.ingest.rtmp).toBe(`rtmp://127.0.0.1:${service.rtmpGate.port}/live`);
    const renditionA = service.stream('a')!.rendition('90p')!;
    const renditionB = service.stream('b')!.rendition('90p')!;
    // A alone on RTMP: its stream moves, B's does not.
    const onA = encoder(`${a.ingest.rtmp}/${KEY_A}`, 60);
    await moreParts(renditionA, 3, ENCODER_WAIT_MS);
    expect(parts(renditionB)).toBe(0);
    expect([service.streamInfo('a')!.publisher, service.streamInfo('b')!.publisher]).toEqual([
      'rtmp',
      null,
    ]);
    // B through the same RTMP port with its own key, while A goes on.
    const onB = encoder(`${b.ingest.rtmp}/${KEY_B}`, 60);
    await Promise.all([
      moreParts(renditionB, 3, ENCODER_WAIT_MS),
      moreParts(renditionA, 3, ENCODER_WAIT_MS),
    ]);
    expect(logs).toContain('RTMP publisher accepted for a');
    expect(logs).toContain('RTMP publisher accepted for b');
    // B's end: its publisher is cut, its key leads nowhere; A is untouched.
    expect(await service.endStream('b')).toBe(true);
    expect(await exited(onB)).not.toBe(0);
    expect(service.streamInfo('b')).toBeUndefined();
    const refused = service.rtmpGate.refused;
    expect(await exited(encoder(`${b.ingest.rtmp}/${KEY_B}`, 3))).not.toBe(0);
    expect(service.rtmpGate.refused).toBe(refused + 1);
    await moreParts(renditionA, 2, ENCODER_WAIT_MS);
    expect(onA.exitCode).toBe(null);
    onA.kill('SIGKILL');
    await exited(onA);
  }, 90_000);

  it('routes SRT callers of two events through the one SRT port by Stream ID', async () => {
    const service = await started();
    await service.setStreamKey('c', hashStreamKey(`${KEY_A}-c`));
    await service.setStreamKey('d', hashStreamKey(`${KEY_B}-d`));
    const srt = service.streamInfo('c')!.ingest.srt!;
    expect(service.streamInfo('d')!.ingest.srt).toBe(srt);
    const [c, d] = [service.stream('c')!.rendition('90p')!, service.stream('d')!.rendition('90p')!];
    const onC = encoder(`${srt}?streamid=${KEY_A}-c`, 60);
    await moreParts(c, 3, ENCODER_WAIT_MS);
    expect(parts(d)).toBe(0);
    const onD = encoder(`${srt}?streamid=${KEY_B}-d`, 60);
    await Promise.all([moreParts(d, 3, ENCODER_WAIT_MS), moreParts(c, 3, ENCODER_WAIT_MS)]);
    expect(service.streamInfo('c')!.publisher).toBe('srt');
    expect(service.streamInfo('d')!.publisher).toBe('srt');
    for (const child of [onC, onD]) child.kill('SIGKILL');
    await Promise.all([exited(onC), exited(onD)]);
  }, 90_000);

  it('keeps the same URL working after a restart with the key restored', async () => {
    const first = await started();
    await first.setStreamKey('match', hashStreamKey(KEY_A));
    const { rtmp, srt } = first.streamInfo('match')!.ingest;
    const rtmpPort = first.rtmpGate.port;
    const srtPort = first.srtGate.port;
    await first.close();
    // The same configuration (the ports the first one had), the key restored by its hash.
    const second = await started(rtmpPort, srtPort);
    expect(second.streamInfo('match')).toBeUndefined();
    await second.setStreamKey('match', hashStreamKey(KEY_A));
    expect(second.streamInfo('match')!.ingest).toEqual({ rtmp, srt });
    const rendition = second.stream('match')!.rendition('90p')!;
    const overRtmp = encoder(`${rtmp}/${KEY_A}`, 60);
    await moreParts(rendition, 3, ENCODER_WAIT_MS);
    overRtmp.kill('SIGKILL');
    await exited(overRtmp);
    const accepted = next('SRT publisher accepted for match');
    const overSrt = encoder(`${srt}?streamid=${KEY_A}`, 60);
    await accepted;
    await moreParts(rendition, 3, ENCODER_WAIT_MS);
    expect(second.streamInfo('match')!.publisher).toBe('srt');
    overSrt.kill('SIGKILL');
    await exited(overSrt);
  }, 90_000);
});
