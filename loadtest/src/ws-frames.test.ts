import { describe, expect, it } from 'vitest';
import {
  FrameParseState,
  Opcode,
  closePayload,
  encodeClientFrame,
  parseFrames,
  readClose,
} from './ws-frames.js';
import type { FrameSink } from './ws-frames.js';

/** A server frame (unmasked), as a server writes it. */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const n = payload.length;
  const header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.alloc(header + n);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(n, 6);
  }
  payload.copy(frame, header);
  return frame;
}

/** Unmasks a client frame the way a server does. */
function unmask(frame: Buffer): { fin: boolean; opcode: number; payload: Buffer } {
  expect(frame[1]! & 0x80).toBe(0x80);
  const len7 = frame[1]! & 0x7f;
  let at = 2;
  let n = len7;
  if (len7 === 126) {
    n = frame.readUInt16BE(2);
    at = 4;
  } else if (len7 === 127) {
    n = frame.readUInt32BE(6);
    at = 10;
  }
  const mask = frame.subarray(at, at + 4);
  const payload = Buffer.from(frame.subarray(at + 4, at + 4 + n));
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  expect(frame.length).toBe(at + 4 + n);
  return { fin: (frame[0]! & 0x80) !== 0, opcode: frame[0]! & 0x0f, payload };
}

class Collector implements FrameSink {
  frames: [number, string][] = [];
  errors: string[] = [];
  frame(opcode: number, buf: Buffer, start: number, end: number): void {
    this.frames.push([opcode, buf.toString('utf8', start, end)]);
  }
  protocolError(message: string): void {
    this.errors.push(message);
  }
}

describe('encodeClientFrame', () => {
  it('masks every payload size so that the server unmasks the same bytes', () => {
    for (const size of [0, 1, 5, 125, 126, 127, 65_535, 65_536, 70_001]) {
      const text = 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2);
      const decoded = unmask(encodeClientFrame(Opcode.text, text));
      expect(decoded).toMatchObject({ fin: true, opcode: Opcode.text });
      expect(decoded.payload.toString('utf8')).toBe(text);
    }
  });

  it('uses a fresh mask per frame', () => {
    const a = encodeClientFrame(Opcode.text, 'same');
    const b = encodeClientFrame(Opcode.text, 'same');
    expect(a.subarray(2, 6).equals(b.subarray(2, 6))).toBe(false);
  });

  it('writes close payloads with the code first', () => {
    const payload = closePayload(4001, 'slow');
    expect(readClose(payload, 0, payload.length)).toEqual({ code: 4001, reason: 'slow' });
    expect(readClose(payload, 0, 0)).toEqual({ code: 1005, reason: '' });
  });
});

describe('parseFrames', () => {
  const stream = Buffer.concat([
    serverFrame(Opcode.text, Buffer.from('{"type":"welcome"}')),
    serverFrame(Opcode.ping, Buffer.from('p')),
    serverFrame(Opcode.text, Buffer.from('x'.repeat(300))),
    serverFrame(Opcode.text, Buffer.from('y'.repeat(70_000))),
    serverFrame(Opcode.close, closePayload(1000)),
  ]);
  const expected: [number, string][] = [
    [Opcode.text, '{"type":"welcome"}'],
    [Opcode.ping, 'p'],
    [Opcode.text, 'x'.repeat(300)],
    [Opcode.text, 'y'.repeat(70_000)],
    [Opcode.close, closePayload(1000).toString('utf8')],
  ];

  it('reads frames that arrive whole', () => {
    const sink = new Collector();
    parseFrames(new FrameParseState(), sink, stream, 0, stream.length);
    expect(sink.frames).toEqual(expected);
  });

  it('reads the same frames however the stream is split across reads', () => {
    let seed = 11;
    for (let round = 0; round < 50; round++) {
      const sink = new Collector();
      const state = new FrameParseState();
      let at = 0;
      while (at < stream.length) {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        // Mostly tiny pieces (headers split byte by byte), sometimes big ones.
        const size = seed % 7 === 0 ? 1 + (seed % 20_000) : 1 + (seed % 5);
        const end = Math.min(stream.length, at + size);
        // Each read lands in a reused buffer, as the client's shared read buffer does.
        const read = Buffer.alloc(end - at);
        stream.copy(read, 0, at, end);
        parseFrames(state, sink, read, 0, read.length);
        read.fill(0);
        at = end;
      }
      expect(sink.frames).toEqual(expected);
      expect(sink.errors).toEqual([]);
    }
  });

  it('reassembles a fragmented message around an interleaved ping', () => {
    const sink = new Collector();
    const parts = Buffer.concat([
      serverFrame(Opcode.text, Buffer.from('hel'), false),
      serverFrame(Opcode.ping, Buffer.from('')),
      serverFrame(Opcode.continuation, Buffer.from('lo'), false),
      serverFrame(Opcode.continuation, Buffer.from('!'), true),
    ]);
    parseFrames(new FrameParseState(), sink, parts, 0, parts.length);
    expect(sink.frames).toEqual([
      [Opcode.ping, ''],
      [Opcode.text, 'hello!'],
    ]);
  });

  it('refuses a masked frame from the server and stops parsing', () => {
    const sink = new Collector();
    const masked = encodeClientFrame(Opcode.text, 'no');
    const after = serverFrame(Opcode.text, Buffer.from('never read'));
    const both = Buffer.concat([masked, after]);
    parseFrames(new FrameParseState(), sink, both, 0, both.length);
    expect(sink.errors).toHaveLength(1);
    expect(sink.frames).toEqual([]);
  });
});
