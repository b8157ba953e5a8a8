import { describe, expect, it } from 'vitest';
import {
  ChunkReader,
  commandOf,
  connectResult,
  publishName,
  scanForPublish,
  writeMessage,
} from './rtmp-chunks.js';

function amfString(s: string): Buffer {
  const b = Buffer.alloc(3 + Buffer.byteLength(s));
  b[0] = 0x02;
  b.writeUInt16BE(Buffer.byteLength(s), 1);
  b.write(s, 3);
  return b;
}

function command(name: string, arg: string): Buffer {
  const txn = Buffer.alloc(9);
  txn[0] = 0x00;
  txn.writeDoubleBE(5, 1);
  return Buffer.concat([amfString(name), txn, Buffer.from([0x05]), amfString(arg)]);
}

/** One type-20 message on chunk stream 3, cut into chunks of `chunkSize`. */
function chunks(payload: Buffer, chunkSize = 128): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x03; // fmt 0, csid 3
  header.writeUIntBE(payload.length, 4, 3);
  header[7] = 20;
  const parts: Buffer[] = [header];
  for (let at = 0; at < payload.length; at += chunkSize) {
    if (at > 0) parts.push(Buffer.from([0xc3])); // fmt 3, csid 3
    parts.push(payload.subarray(at, at + chunkSize));
  }
  return Buffer.concat(parts);
}

const HANDSHAKE = Buffer.alloc(1 + 1536 + 1536, 1);

describe('RTMP publish scan', () => {
  it('reads the stream name of publish, FCPublish and releaseStream, not of other commands', () => {
    expect(publishName(command('publish', 'key-1'))).toBe('key-1');
    expect(publishName(command('FCPublish', 'key-2'))).toBe('key-2');
    expect(publishName(command('releaseStream', 'key-3'))).toBe('key-3');
    expect(publishName(command('connect', 'live'))).toBeUndefined();
  });

  it('finds the publish after the handshake and other commands, across chunks', () => {
    const connect = chunks(command('connect', 'live'));
    const publish = chunks(command('publish', 'k'.repeat(200)));
    const all = Buffer.concat([HANDSHAKE, connect, publish]);
    const scan = scanForPublish(all);
    expect(scan).toEqual({ kind: 'publish', name: 'k'.repeat(200), end: all.length });
  });

  it("reports the connect's transaction id while no stream is named yet", () => {
    const connect = chunks(command('connect', 'live'));
    const publish = chunks(command('publish', 'k'.repeat(200)));
    const partial = Buffer.concat([HANDSHAKE, connect, publish]).subarray(0, -5);
    expect(scanForPublish(partial)).toEqual({ kind: 'more', connectTxn: 5 });
    expect(scanForPublish(HANDSHAKE)).toEqual({ kind: 'more', connectTxn: undefined });
  });

  it('reads back what it writes, across chunk sizes and extended timestamps', () => {
    const payload = Buffer.alloc(1000, 7);
    const messages = [
      { csid: 3, type: 20, timestamp: 0, streamId: 0, payload: command('publish', 'x') },
      { csid: 6, type: 9, timestamp: 0x1000000, streamId: 1, payload },
      { csid: 70, type: 8, timestamp: 42, streamId: 1, payload: payload.subarray(0, 300) },
    ];
    const bytes = Buffer.concat(messages.map((m) => writeMessage(m)));
    const reader = new ChunkReader();
    // Byte by byte: a chunk is only taken whole.
    const read = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
    expect(read.map(({ end: _end, ...m }) => m)).toEqual(messages);
    expect(read.at(-1)!.end).toBe(bytes.length);
  });

  it("answers connect with a _result of the client's transaction", () => {
    const [message] = new ChunkReader().push(connectResult(1));
    expect(commandOf(message!.payload)).toEqual({ name: '_result', txn: 1 });
  });

  it('calls a continuation of an unknown chunk stream invalid', () => {
    const scan = scanForPublish(Buffer.concat([HANDSHAKE, Buffer.from([0xc3, 1, 2])]));
    expect(scan.kind).toBe('invalid');
  });
});
