// The stream-key check in front of an event's RTMP ingest. ffmpeg's RTMP listener accepts any
// stream name (it only warns, and prints the expected key while at it), so encoders connect to
// this gate instead: it relays bytes both ways to the ffmpeg listener on a loopback port, reads
// the client's RTMP chunk stream just far enough to see the first command that names the stream
// (releaseStream, FCPublish or publish), and forwards it only if that name is the event's key.
// The gate holds only the key's SHA-256 (the API hands over nothing else) and compares hashes in
// constant time. A wrong key closes both connections and is logged without the key. After a good
// publish the gate is a plain byte pipe. A new key (rotation) cuts publishers that came in with
// the old one: a key is rotated because it leaked.
//
// RTMP framing read here (Adobe RTMP 1.0): a 1 + 1536 + 1536 byte handshake (C0, C1, C2) from
// the client, then chunks: a basic header (format, chunk stream id), a message header of 11, 7,
// 3 or 0 bytes by format, an extended timestamp when the 24-bit field is 0xFFFFFF, and at most
// `chunk size` payload bytes (128 until the client sends Set Chunk Size, message type 1). AMF0
// commands are message type 20: a string (the command name), a number, then arguments.

import { createHash, timingSafeEqual } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { PublisherSlot } from './publisher-slot.js';

/** Client handshake bytes before the first chunk: C0 (1), C1 (1536), C2 (1536). */
const HANDSHAKE_BYTES = 1 + 1536 + 1536;
/** Bytes read from a client before it must have published (a few KB in practice). */
export const MAX_PREAMBLE_BYTES = 64 * 1024;
const SET_CHUNK_SIZE = 1;
/** While ffmpeg (re)starts its listener: tries, and the pause between them. */
const UPSTREAM_ATTEMPTS = 50;
const UPSTREAM_RETRY_MS = 100;
const AMF0_COMMAND = 20;

interface ChunkStream {
  length: number;
  type: number;
  extended: boolean;
  received: Buffer[];
  receivedBytes: number;
}

/** What the reader found in the client's bytes so far. */
export type PublishScan =
  /** No publish yet; bytes before `safe` hold only complete chunks that are not a publish. */
  | { readonly kind: 'more'; readonly safe: number }
  | { readonly kind: 'publish'; readonly name: string; readonly end: number }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Reads AMF0 string at `at` (marker 0x02); returns the string and the offset after it. */
function amfString(buf: Buffer, at: number): [string, number] | undefined {
  if (buf[at] !== 0x02 || at + 3 > buf.length) return undefined;
  const len = buf.readUInt16BE(at + 1);
  if (at + 3 + len > buf.length) return undefined;
  return [buf.toString('utf8', at + 3, at + 3 + len), at + 3 + len];
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

/**
 * Scans the client's bytes (from the connection's first byte) for the publish command. Pure:
 * call it again with the longer buffer when it answers `more`.
 */
export function scanForPublish(buf: Buffer): PublishScan {
  if (buf.length <= HANDSHAKE_BYTES) return { kind: 'more', safe: buf.length };
  let pos = HANDSHAKE_BYTES;
  let chunkSize = 128;
  const more = (): PublishScan => ({ kind: 'more', safe: pos });
  const streams = new Map<number, ChunkStream>();
  while (pos < buf.length) {
    const b0 = buf[pos]!;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let p = pos + 1;
    if (csid === 0) {
      if (p + 1 > buf.length) return more();
      csid = 64 + buf[p]!;
      p += 1;
    } else if (csid === 1) {
      if (p + 2 > buf.length) return more();
      csid = 64 + buf[p]! + buf[p + 1]! * 256;
      p += 2;
    }
    const headerBytes = [11, 7, 3, 0][fmt]!;
    if (p + headerBytes > buf.length) return more();
    let stream = streams.get(csid);
    if (fmt <= 1 || !stream) {
      if (fmt > 1 && !stream)
        return { kind: 'invalid', reason: 'chunk continues an unknown stream' };
      stream ??= { length: 0, type: 0, extended: false, received: [], receivedBytes: 0 };
      streams.set(csid, stream);
    }
    if (fmt <= 2) stream.extended = buf.readUIntBE(p, 3) === 0xffffff;
    if (fmt <= 1) {
      stream.length = buf.readUIntBE(p + 3, 3);
      stream.type = buf[p + 6]!;
    }
    p += headerBytes;
    if (stream.extended) p += 4;
    const take = Math.min(chunkSize, stream.length - stream.receivedBytes);
    if (p + take > buf.length) return more();
    stream.received.push(buf.subarray(p, p + take));
    stream.receivedBytes += take;
    p += take;
    pos = p;
    if (stream.receivedBytes < stream.length) continue;
    const payload = Buffer.concat(stream.received);
    stream.received = [];
    stream.receivedBytes = 0;
    if (stream.type === SET_CHUNK_SIZE) {
      chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
      if (chunkSize < 1) return { kind: 'invalid', reason: 'chunk size 0' };
    } else if (stream.type === AMF0_COMMAND) {
      const name = publishName(payload);
      if (name !== undefined) return { kind: 'publish', name, end: pos };
    }
  }
  return more();
}

/** The key part of a publish name: OBS and others may append `?query` parameters. */
function keyOf(name: string): string {
  const q = name.indexOf('?');
  return q < 0 ? name : name.slice(0, q);
}

/** The SHA-256 of a stream key: all the gate (and the API) ever keeps of it. */
export function hashStreamKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Whether `given` is the key whose SHA-256 is `expectedSha256` (constant time). */
export function keyMatches(given: string, expectedSha256: Buffer): boolean {
  return timingSafeEqual(hashStreamKey(given), expectedSha256);
}

export interface RtmpGateOptions {
  readonly eventId: string;
  /** SHA-256 of the event's stream key (the last path segment of the ingest URL). */
  readonly keySha256: Buffer;
  /** Where the event's ffmpeg listens (loopback). */
  readonly upstreamPort: number;
  readonly host: string;
  readonly port: number;
  /** One publisher per event across RTMP and SRT (absent: this gate alone feeds the event). */
  readonly slot?: PublisherSlot;
  /** Refusals and acceptances, never with the key. */
  readonly log: (line: string) => void;
}

export class RtmpGate {
  readonly #options: RtmpGateOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Closers of the relays of publishers accepted under the current key. */
  readonly #publishers = new Set<() => void>();
  #keySha256: Buffer;
  #refused = 0;

  constructor(options: RtmpGateOptions) {
    if (options.keySha256.length !== 32) throw new RangeError('keySha256 must be 32 bytes');
    this.#options = options;
    this.#keySha256 = options.keySha256;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Publishers refused for a wrong key (or a malformed stream) so far. */
  get refused(): number {
    return this.#refused;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The SHA-256 of the key in force. */
  get keySha256(): Buffer {
    return this.#keySha256;
  }

  /** Rotates the key: new publishers need the new one; those in with the old one are cut. */
  setKeySha256(keySha256: Buffer): void {
    if (keySha256.length !== 32) throw new RangeError('keySha256 must be 32 bytes');
    this.#keySha256 = keySha256;
    const cut = [...this.#publishers];
    this.#publishers.clear();
    for (const close of cut) close();
    if (cut.length > 0) {
      this.#options.log(
        `stream key of ${this.#options.eventId} rotated: cut ${cut.length} publisher(s)`,
      );
    }
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => resolve());
    });
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const { eventId, log } = this.#options;
    this.#sockets.add(client);
    client.once('close', () => this.#sockets.delete(client));
    // A failing client ends the relay through 'close'; there is nothing to recover.
    client.on('error', () => undefined);
    // ffmpeg may be restarting (it listens for one publisher at a time): client bytes wait in
    // `pending` until the upstream connection is up.
    let upstream: Socket | undefined;
    const pending: Buffer[] = [];
    let closed = false;
    /** Frees the event's publisher slot once this client was accepted. */
    let release: (() => void) | undefined;
    const closeBoth = (): void => {
      closed = true;
      release?.();
      client.destroy();
      upstream?.destroy();
    };
    client.once('close', closeBoth);
    const connectUpstream = (attempt: number): void => {
      const socket = connect(this.#options.upstreamPort, '127.0.0.1');
      socket.once('connect', () => {
        if (closed) return void socket.destroy();
        upstream = socket;
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.once('close', closeBoth);
        socket.on('data', (chunk: Buffer) => client.write(chunk));
        for (const b of pending.splice(0)) socket.write(b);
      });
      socket.once('error', () => {
        socket.destroy();
        if (closed || upstream) return;
        if (attempt >= UPSTREAM_ATTEMPTS) {
          log(`RTMP ingest for ${eventId} is not listening; dropped a publisher`);
          return closeBoth();
        }
        setTimeout(() => connectUpstream(attempt + 1), UPSTREAM_RETRY_MS);
      });
    };
    connectUpstream(1);
    const send = (bytes: Buffer): void => {
      if (upstream) upstream.write(bytes);
      else pending.push(bytes);
    };
    let seen = Buffer.alloc(0);
    let forwarded = 0;
    // Until the publish command is judged, relay the client's bytes up to the end of the last
    // complete chunk that did not complete a publish: the command's last chunk is held back.
    const sniff = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      const scan = scanForPublish(seen);
      if (scan.kind === 'invalid' || (scan.kind === 'more' && seen.length > MAX_PREAMBLE_BYTES)) {
        this.#refused++;
        log(`refused an RTMP publisher for ${eventId}: malformed stream`);
        return closeBoth();
      }
      if (scan.kind === 'more') {
        if (scan.safe > forwarded) {
          send(seen.subarray(forwarded, scan.safe));
          forwarded = scan.safe;
        }
        return;
      }
      client.off('data', sniff);
      if (!keyMatches(keyOf(scan.name), this.#keySha256)) {
        this.#refused++;
        log(`refused an RTMP publisher for ${eventId}: wrong stream key`);
        return closeBoth();
      }
      release = this.#options.slot ? this.#options.slot.claim('rtmp') : () => undefined;
      if (!release) {
        this.#refused++;
        log(`refused an RTMP publisher for ${eventId}: another publisher is live`);
        return closeBoth();
      }
      log(`RTMP publisher accepted for ${eventId}`);
      this.#publishers.add(closeBoth);
      client.once('close', () => this.#publishers.delete(closeBoth));
      send(seen.subarray(forwarded));
      seen = Buffer.alloc(0);
      client.on('data', send);
    };
    client.on('data', sniff);
  }
}
