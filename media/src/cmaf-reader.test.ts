// The CMAF reader on bytes ffmpeg made: a few seconds of test pattern and tone, H.264 with a
// keyframe every second, fragments of 200 ms, muxed with AAC, as the ingest ladder writes them.

import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CmafReader, type CmafEvent, type FragmentInfo } from './cmaf-reader.js';
import { ffmpegAvailable } from './ffmpeg-check.js';
import { BoxSplitter, Mp4Error } from './mp4-boxes.js';

const hasFfmpeg = ffmpegAvailable();

function ffmpegBytes(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, 'pipe:1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`ffmpeg exited ${code}: ${stderr}`));
    });
  });
}

/** 3 s at 30 fps, keyframe every 30 frames, fragments of 200 ms (6 frames). */
const FFMPEG_ARGS = [
  ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30[out0];sine=frequency=440[out1]'],
  ...['-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
  ...['-g', '30', '-keyint_min', '30', '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
  ...['-c:a', 'aac', '-b:a', '48k', '-f', 'mp4'],
  ...['-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '200000'],
];

describe.skipIf(!hasFfmpeg)('CmafReader on ffmpeg output', () => {
  let bytes: Buffer;
  let events: CmafEvent[];
  let fragments: FragmentInfo[];

  beforeAll(async () => {
    bytes = await ffmpegBytes(FFMPEG_ARGS);
    events = new CmafReader().push(bytes);
    fragments = events.flatMap((e) => (e.kind === 'fragment' ? [e.fragment] : []));
  });

  it('starts with the init segment and reads its tracks', () => {
    const first = events[0]!;
    expect(first.kind).toBe('init');
    if (first.kind !== 'init') return;
    expect(first.bytes.toString('latin1', 4, 8)).toBe('ftyp');
    expect(first.init.video).toMatchObject({ kind: 'video', width: 320, height: 180 });
    expect(first.init.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    expect(events.filter((e) => e.kind === 'init')).toHaveLength(1);
  });

  it('cuts 200 ms fragments of whole frames', () => {
    expect(fragments.length).toBeGreaterThanOrEqual(14);
    // Every fragment but the first and last is exactly six frames; the first absorbs the AAC
    // priming offset, the last is what remains.
    for (const f of fragments.slice(1, -1)) expect(f.duration).toBeCloseTo(0.2, 6);
    expect(fragments[0]!.duration).toBeLessThan(0.25);
  });

  it('times fragments back to back from the decode times', () => {
    for (let i = 1; i < fragments.length; i++) {
      const prev = fragments[i - 1]!;
      expect(fragments[i]!.decodeTime).toBeCloseTo(prev.decodeTime + prev.duration, 6);
    }
  });

  it('sees a keyframe at the start of each second and nowhere else', () => {
    // Frames 0, 30 and 60 open fragments 0, 5 and 10: 30 frames are five 6-frame fragments.
    const independent = fragments.flatMap((f, i) => (f.independent ? [i] : []));
    expect(independent).toEqual([0, 5, 10]);
    const times = independent.map((i) => fragments[i]!.decodeTime);
    expect(times[2]! - times[1]!).toBeCloseTo(1, 6);
    expect(fragments[0]!.independent).toBe(true);
  });

  it('gives the same events whatever the chunking of the pipe', () => {
    const reader = new CmafReader();
    const chunked: CmafEvent[] = [];
    let offset = 0;
    let size = 1;
    while (offset < bytes.length) {
      chunked.push(...reader.push(bytes.subarray(offset, offset + size)));
      offset += size;
      size = (size * 7 + 3) % 4099; // 1..4098 bytes, splitting headers and payloads anywhere
    }
    expect(chunked.map((e) => [e.kind, e.bytes.length])).toEqual(
      events.map((e) => [e.kind, e.bytes.length]),
    );
  });

  it('keeps each fragment whole: a moof followed by its mdat', () => {
    for (const e of events) {
      if (e.kind !== 'fragment') continue;
      const moofSize = e.bytes.readUInt32BE(0);
      expect(e.bytes.toString('latin1', 4, 8)).toBe('moof');
      expect(e.bytes.toString('latin1', moofSize + 4, moofSize + 8)).toBe('mdat');
      expect(moofSize + e.bytes.readUInt32BE(moofSize)).toBe(e.bytes.length);
    }
  });
});

describe('BoxSplitter', () => {
  function box(type: string, payload: number): Buffer {
    const b = Buffer.alloc(8 + payload, 7);
    b.writeUInt32BE(8 + payload, 0);
    b.write(type, 4, 'latin1');
    return b;
  }

  it('holds a partial box until the rest arrives', () => {
    const splitter = new BoxSplitter();
    const whole = Buffer.concat([box('ftyp', 4), box('moov', 10)]);
    expect(splitter.push(whole.subarray(0, 5))).toEqual([]);
    expect(splitter.push(whole.subarray(5, 15)).map((b) => b.type)).toEqual(['ftyp']);
    expect(splitter.buffered).toBe(3);
    expect(splitter.push(whole.subarray(15)).map((b) => b.type)).toEqual(['moov']);
    expect(splitter.buffered).toBe(0);
  });

  it('reads 64-bit box sizes', () => {
    const b = Buffer.alloc(20);
    b.writeUInt32BE(1, 0);
    b.write('mdat', 4, 'latin1');
    b.writeBigUInt64BE(20n, 8);
    expect(new BoxSplitter().push(b).map((x) => x.bytes.length)).toEqual([20]);
  });

  it('refuses a box without a size, or one larger than the limit', () => {
    const open = box('mdat', 0);
    open.writeUInt32BE(0, 0);
    expect(() => new BoxSplitter().push(open)).toThrow(Mp4Error);
    expect(() => new BoxSplitter(100).push(box('mdat', 200))).toThrow(/exceeds the limit/);
  });

  it('refuses a fragment before the init segment', () => {
    expect(() => new CmafReader().push(box('moof', 8))).toThrow(/moof before moov/);
  });
});
