import { describe, expect, it } from 'vitest';
import { publishName, scanForPublish } from './rtmp-gate.js';

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

  it('marks only complete chunks before the publish as safe to forward', () => {
    const connect = chunks(command('connect', 'live'));
    const publish = chunks(command('publish', 'k'.repeat(200)));
    const upTo = HANDSHAKE.length + connect.length + 12 + 128; // publish's first chunk
    const scan = scanForPublish(Buffer.concat([HANDSHAKE, connect, publish]).subarray(0, upTo + 5));
    expect(scan).toEqual({ kind: 'more', safe: upTo });
  });

  it('calls a continuation of an unknown chunk stream invalid', () => {
    const scan = scanForPublish(Buffer.concat([HANDSHAKE, Buffer.from([0xc3, 1, 2])]));
    expect(scan.kind).toBe('invalid');
  });
});
