// The RTMP framing the gate reads and writes (Adobe RTMP 1.0): a 1 + 1536 + 1536 byte handshake
// (C0, C1, C2) from the client, then chunks: a basic header (format, chunk stream id), a message
// header of 11, 7, 3 or 0 bytes by format, an extended timestamp when the 24-bit field is
// 0xFFFFFF, and at most `chunk size` payload bytes (128 until the sender's Set Chunk Size,
// message type 1). AMF0 commands are message type 20: a string (the command name), a number
// (the transaction id), then arguments. Pure functions and one incremental reader: no sockets.

import { randomBytes } from 'node:crypto';

/** Handshake bytes of one side: C0 (1), C1 (1536), C2 (1536), or S0, S1, S2. */
export const HANDSHAKE_BYTES = 1 + 1536 + 1536;
const HANDSHAKE_PACKET = 1536;
const RTMP_VERSION = 3;
export const SET_CHUNK_SIZE = 1;
export const AMF0_COMMAND = 20;
const DEFAULT_CHUNK_SIZE = 128;

interface ChunkStream {
  timestamp: number;
  delta: number;
  length: number;
  type: number;
  streamId: number;
  extended: boolean;
  received: Buffer[];
  receivedBytes: number;
}

/** What the reader found in the client's bytes so far. */
export type PublishScan =
  /** No publish yet; `connectTxn`: the transaction id of the client's connect, once sent. */
  | { readonly kind: 'more'; readonly connectTxn: number | undefined }
  | { readonly kind: 'publish'; readonly name: string; readonly end: number }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Reads AMF0 string at `at` (marker 0x02); returns the string and the offset after it. */
function amfString(buf: Buffer, at: number): [string, number] | undefined {
  if (buf[at] !== 0x02 || at + 3 > buf.length) return undefined;
  const len = buf.readUInt16BE(at + 1);
  if (at + 3 + len > buf.length) return undefined;
  return [buf.toString('utf8', at + 3, at + 3 + len), at + 3 + len];
}

/** An AMF0 command's name and transaction id, or undefined when the payload is none. */
export function commandOf(payload: Buffer): { name: string; txn: number } | undefined {
  const command = amfString(payload, 0);
  if (!command) return undefined;
  const at = command[1];
  if (payload[at] !== 0x00 || at + 9 > payload.length) return undefined;
  return { name: command[0], txn: payload.readDoubleBE(at + 1) };
}

/**
 * Commands that carry the stream name (the key). Encoders send releaseStream and FCPublish
 * before publish, and ffmpeg's listener reads the name from each: the first one is judged.
 */
const NAMED_COMMANDS = new Set(['releaseStream', 'FCPublish', 'publish']);

/** The stream name of an AMF0 command that names the stream, or undefined for other commands. */
export function publishName(payload: Buffer): string | undefined {
  const command = amfString(payload, 0);
  if (!command || !NAMED_COMMANDS.has(command[0])) return undefined;
  let at = command[1];
  if (payload[at] !== 0x00) return undefined; // transaction id: a number
  at += 9;
  if (payload[at] === 0x05) at += 1; // command object: null
  return amfString(payload, at)?.[0];
}

/** One whole message; `end`: the reader's bytes consumed up to its last chunk. */
export interface RtmpMessage {
  readonly type: number;
  readonly csid: number;
  readonly timestamp: number;
  readonly streamId: number;
  readonly payload: Buffer;
  readonly end: number;
}

/** Reads chunks into messages, incrementally (push bytes as they come). */
export class ChunkReader {
  #buf: Buffer = Buffer.alloc(0);
  #chunkSize = DEFAULT_CHUNK_SIZE;
  #consumed = 0;
  readonly #streams = new Map<number, ChunkStream>();

  /** The messages completed by `bytes`; throws on a stream that cannot be read. */
  push(bytes: Buffer): RtmpMessage[] {
    this.#buf = this.#buf.length === 0 ? bytes : Buffer.concat([this.#buf, bytes]);
    const out: RtmpMessage[] = [];
    for (;;) {
      const step = this.#chunk();
      if (step === undefined) break;
      if (step !== null) out.push(step);
    }
    return out;
  }

  /** One chunk: a completed message, null (a chunk of an unfinished one), undefined (need more). */
  #chunk(): RtmpMessage | null | undefined {
    const buf = this.#buf;
    if (buf.length < 1) return undefined;
    const fmt = buf[0]! >> 6;
    let csid = buf[0]! & 0x3f;
    let p = 1;
    if (csid === 0) {
      if (buf.length < 2) return undefined;
      csid = 64 + buf[1]!;
      p = 2;
    } else if (csid === 1) {
      if (buf.length < 3) return undefined;
      csid = 64 + buf[1]! + buf[2]! * 256;
      p = 3;
    }
    const headerBytes = [11, 7, 3, 0][fmt]!;
    if (buf.length < p + headerBytes) return undefined;
    const known = this.#streams.get(csid);
    if (fmt > 1 && !known) throw new Error('chunk continues an unknown stream');
    const s: ChunkStream = known ?? {
      timestamp: 0,
      delta: 0,
      length: 0,
      type: 0,
      streamId: 0,
      extended: false,
      received: [],
      receivedBytes: 0,
    };
    let stamp = s.extended && fmt === 3 ? 0xffffff : 0;
    if (fmt <= 2) stamp = buf.readUIntBE(p, 3);
    const extended = stamp === 0xffffff;
    if (extended && buf.length < p + headerBytes + 4) return undefined;
    const field = extended ? buf.readUInt32BE(p + headerBytes) : stamp;
    const dataAt = p + headerBytes + (extended ? 4 : 0);
    const length = fmt <= 1 ? buf.readUIntBE(p + 3, 3) : s.length;
    const take = Math.min(this.#chunkSize, length - s.receivedBytes);
    if (buf.length < dataAt + take) return undefined;
    // The whole chunk is here: commit its header.
    this.#streams.set(csid, s);
    const starts = s.receivedBytes === 0;
    if (fmt === 0) {
      s.timestamp = field;
      s.delta = 0;
      s.streamId = buf.readUInt32LE(p + 7);
    } else if (fmt <= 2) {
      s.delta = field;
      s.timestamp += field;
    } else if (starts) s.timestamp += s.delta;
    if (fmt <= 1) {
      s.length = length;
      s.type = buf[p + 6]!;
    }
    s.extended = extended;
    s.received.push(buf.subarray(dataAt, dataAt + take));
    s.receivedBytes += take;
    this.#buf = buf.subarray(dataAt + take);
    this.#consumed += dataAt + take;
    if (s.receivedBytes < s.length) return null;
    const payload = Buffer.concat(s.received);
    s.received = [];
    s.receivedBytes = 0;
    if (s.type === SET_CHUNK_SIZE) {
      this.#chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
      if (this.#chunkSize < 1) throw new Error('chunk size 0');
    }
    const { type, timestamp, streamId } = s;
    return { type, csid, timestamp, streamId, payload, end: this.#consumed };
  }
}

/**
 * Scans the client's bytes (from the connection's first byte) for the first command that names
 * the stream. Pure: call it again with the longer buffer when it answers `more`.
 */
export function scanForPublish(buf: Buffer): PublishScan {
  if (buf.length <= HANDSHAKE_BYTES) return { kind: 'more', connectTxn: undefined };
  const reader = new ChunkReader();
  let messages;
  try {
    messages = reader.push(buf.subarray(HANDSHAKE_BYTES));
  } catch (err) {
    return { kind: 'invalid', reason: (err as Error).message };
  }
  let connectTxn: number | undefined;
  for (const message of messages) {
    if (message.type !== AMF0_COMMAND) continue;
    const name = publishName(message.payload);
    if (name !== undefined) return { kind: 'publish', name, end: HANDSHAKE_BYTES + message.end };
    const command = commandOf(message.payload);
    if (command?.name === 'connect') connectTxn = command.txn;
  }
  return { kind: 'more', connectTxn };
}

/** A message as chunks of `chunkSize` (format 0, then format 3 continuations). */
export function writeMessage(
  message: Omit<RtmpMessage, 'end'>,
  chunkSize = DEFAULT_CHUNK_SIZE,
): Buffer {
  const { csid, type, streamId, payload } = message;
  const basic = (fmt: number): Buffer =>
    csid < 64
      ? Buffer.from([(fmt << 6) | csid])
      : csid < 320
        ? Buffer.from([fmt << 6, csid - 64])
        : Buffer.from([(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >> 8]);
  const extended = message.timestamp >= 0xffffff;
  const ext = Buffer.alloc(extended ? 4 : 0);
  if (extended) ext.writeUInt32BE(message.timestamp >>> 0, 0);
  const header = Buffer.alloc(11);
  header.writeUIntBE(extended ? 0xffffff : message.timestamp, 0, 3);
  header.writeUIntBE(payload.length, 3, 3);
  header[6] = type;
  header.writeUInt32LE(streamId, 7);
  const parts: Buffer[] = [basic(0), header, ext];
  for (let at = 0; at < payload.length || at === 0; at += chunkSize) {
    if (at > 0) parts.push(basic(3), ext);
    parts.push(payload.subarray(at, at + chunkSize));
    if (payload.length === 0) break;
  }
  return Buffer.concat(parts);
}

/** One side's handshake opening: version 3, then time, zeros and random bytes (C0C1 or S0S1). */
export function handshakeOpening(): Buffer {
  const out = Buffer.alloc(1 + HANDSHAKE_PACKET);
  out[0] = RTMP_VERSION;
  randomBytes(HANDSHAKE_PACKET - 8).copy(out, 9);
  return out;
}

function amf0(value: string | number | Record<string, string | number>): Buffer {
  if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out.writeDoubleBE(value, 1);
    return out;
  }
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    const head = Buffer.from([0x02, 0, 0]);
    head.writeUInt16BE(text.length, 1);
    return Buffer.concat([head, text]);
  }
  const parts: Buffer[] = [Buffer.from([0x03])];
  for (const [key, v] of Object.entries(value)) {
    const name = Buffer.from(key, 'utf8');
    parts.push(Buffer.from([name.length >> 8, name.length & 0xff]), name, amf0(v));
  }
  parts.push(Buffer.from([0, 0, 0x09]));
  return Buffer.concat(parts);
}

/** The server's answer to the client's `connect` (transaction `txn`): success, as chunks. */
export function connectResult(txn: number): Buffer {
  const payload = Buffer.concat([
    amf0('_result'),
    amf0(txn),
    amf0({ fmsVer: 'FMS/3,0,1,123', capabilities: 31 }),
    amf0({
      level: 'status',
      code: 'NetConnection.Connect.Success',
      description: 'Connection succeeded.',
      objectEncoding: 0,
    }),
  ]);
  return writeMessage({ csid: 3, type: AMF0_COMMAND, timestamp: 0, streamId: 0, payload });
}
