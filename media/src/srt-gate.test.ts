import { describe, expect, it } from 'vitest';
import {
  SRT_REJECT_FORBIDDEN,
  decodeStreamId,
  encodeStreamId,
  inductionAnswer,
  withCookie,
  keyOfStreamId,
  readSrtPacket,
  rejectionFor,
} from './srt-gate.js';

/** A caller's handshake: header, 48-byte body of `type`, then extensions. */
function handshake(type: number, socketId: number, extensions: [number, Buffer][] = []): Buffer {
  const head = Buffer.alloc(16 + 48);
  head.writeUInt16BE(0x8000, 0); // control, type 0: handshake
  head.writeUInt32BE(5, 16); // version 5
  head.writeUInt32BE(type >>> 0, 16 + 20);
  head.writeUInt32BE(socketId, 16 + 24);
  const exts = extensions.map(([t, value]) => {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(t, 0);
    h.writeUInt16BE(value.length / 4, 2);
    return Buffer.concat([h, value]);
  });
  return Buffer.concat([head, ...exts]);
}

describe('SRT handshake reading', () => {
  it('round-trips a Stream ID through its little-endian word packing', () => {
    expect(encodeStreamId('abcd')).toEqual(Buffer.from('dcba'));
    expect(encodeStreamId('abcdef')).toEqual(
      Buffer.from([0x64, 0x63, 0x62, 0x61, 0, 0, 0x66, 0x65]),
    );
    for (const text of ['', 'k', 'sk_Vq3nX0c9YpR2m8LwT4zA6bK1dF7hJ5sE', '#!::r=abc,m=publish']) {
      expect(decodeStreamId(encodeStreamId(text))).toBe(text);
    }
  });

  it('finds the Stream ID among the conclusion extensions, and tells induction apart', () => {
    const hsreq = Buffer.alloc(12, 1);
    const msg = handshake(0xffffffff, 77, [
      [1, hsreq],
      [5, encodeStreamId('sk_key')],
    ]);
    expect(readSrtPacket(msg)).toEqual({ kind: 'conclusion', socketId: 77, streamId: 'sk_key' });
    expect(readSrtPacket(handshake(0xffffffff, 9, [[1, hsreq]]))).toEqual({
      kind: 'conclusion',
      socketId: 9,
      streamId: undefined,
    });
    expect(readSrtPacket(handshake(1, 9))).toEqual({ kind: 'induction', socketId: 9, cookie: 0 });
    expect(readSrtPacket(Buffer.alloc(80))).toEqual({ kind: 'other' }); // a data packet
    expect(readSrtPacket(handshake(0xffffffff, 9).subarray(0, 40))).toEqual({ kind: 'other' });
    // An extension claiming more words than the datagram holds is not read past its end.
    const cut = handshake(0xffffffff, 9, [[5, encodeStreamId('sk_key')]]);
    cut.writeUInt16BE(200, 16 + 48 + 2);
    expect(readSrtPacket(cut)).toEqual({ kind: 'conclusion', socketId: 9, streamId: undefined });
  });

  it('takes the key from a plain Stream ID or the access-control r= field', () => {
    expect(keyOfStreamId('sk_abc')).toBe('sk_abc');
    expect(keyOfStreamId('#!::r=sk_abc,m=publish')).toBe('sk_abc');
    expect(keyOfStreamId('#!::m=publish,r=sk_abc')).toBe('sk_abc');
    expect(keyOfStreamId('#!::m=publish')).toBe('');
  });

  it('answers a refusal addressed to the caller with the rejection type and no extensions', () => {
    const msg = handshake(0xffffffff, 77, [[5, encodeStreamId('sk_wrong')]]);
    const out = rejectionFor(msg, 77, SRT_REJECT_FORBIDDEN);
    expect(out.length).toBe(64);
    expect(out.readUInt32BE(12)).toBe(77);
    expect(out.readUInt32BE(16 + 20)).toBe(2403);
    expect(out.includes(Buffer.from('sk_wrong'))).toBe(false);
  });

  it("answers a caller's induction as an HSv5 listener, and swaps a conclusion's cookie", () => {
    const answer = inductionAnswer(handshake(1, 77), 77, 0xc0ffee);
    expect(answer.readUInt32BE(12)).toBe(77); // to the caller's socket
    expect(answer.readUInt32BE(16)).toBe(5); // HSv5
    expect(answer.readUInt16BE(16 + 6)).toBe(0x4a17); // the SRT magic
    expect(readSrtPacket(answer)).toEqual({ kind: 'induction', socketId: 0, cookie: 0xc0ffee });
    const conclusion = handshake(0xffffffff, 77, [[5, encodeStreamId('sk_key')]]);
    const swapped = withCookie(conclusion, 1234);
    expect(swapped.readUInt32BE(16 + 28)).toBe(1234);
    expect(readSrtPacket(swapped)).toEqual(readSrtPacket(conclusion));
  });
});
