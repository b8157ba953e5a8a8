// The one SRT ingest port of the media process, the twin of rtmp-gate.ts. ffmpeg's SRT listener
// takes any caller (libsrt's passphrase would have to be the key itself, and the media process
// holds only its SHA-256), so encoders call this gate: a UDP relay that reads each caller's
// handshake just far enough to see the Stream ID (`srt://host:port?streamid=<key>`, OBS's
// "Stream ID" field) and routes the caller by it (IngestRoutes) to its event's ffmpeg listener,
// giving each caller its own loopback socket. The key comes only in the conclusion handshake, so
// the gate answers the caller's induction itself (HSv5: version 5, the SRT magic, a cookie of
// its own). A key no event holds gets SRT's own rejection handshake (SRT_REJX_FORBIDDEN,
// "forbidden": the encoder says "connection rejected" at once instead of timing out), logged
// without the key; a busy event gets SRT_REJX_CONFLICT. A known key claims the event's
// PublisherSlot; the gate then sends the caller's own induction to ffmpeg, and forwards the
// caller's conclusion with ffmpeg's cookie in place of the gate's. After acceptance the gate is
// a plain datagram pipe. A new key for the event (rotation) or its end sends SRT shutdown to
// both ends of its accepted callers (cut()).
//
// SRT framing read here (SRT RFC draft, section 3): a control packet has the top bit of its
// first 32-bit word set and the control type in the next 15 bits (0: handshake, 5: shutdown);
// words 2 and 3 are the timestamp and the destination socket id; a handshake's body is version,
// encryption and extension fields, initial sequence, MTU, flow window, handshake type (1:
// induction, 0xFFFFFFFF: conclusion, 1000 + reason: rejection), the sender's socket id, cookie,
// peer address (16 bytes), then extensions as (type: u16, length in 32-bit words: u16, value).
// Extension 5 is the Stream ID, its characters packed four to a word in little-endian order.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { IngestRoute, IngestRoutes } from './ingest-routes.js';

const HEADER_BYTES = 16;
const HANDSHAKE_BODY_BYTES = 48;
const CONTROL_HANDSHAKE = 0;
const CONTROL_SHUTDOWN = 5;
const HS_INDUCTION = 1;
const HS_CONCLUSION = 0xffffffff;
const EXT_STREAM_ID = 5;
const HS_VERSION_5 = 5;
/** The extension field of a listener's HSv5 induction answer. */
const SRT_MAGIC = 0x4a17;
const COOKIE_AT = HEADER_BYTES + 28;
/** SRT_REJX_FORBIDDEN (user-level 1403) on the wire: 1000 + reason. */
export const SRT_REJECT_FORBIDDEN = 1000 + 1403;
/** SRT_REJX_CONFLICT ("resource already locked"): another publisher is live. */
export const SRT_REJECT_CONFLICT = 1000 + 1409;
/**
 * Callers at once across every event (handshaking or accepted: one accepted per event at most);
 * more are dropped until one goes or falls silent.
 */
export const MAX_SRT_CALLERS = 256;
/** A caller silent this long is forgotten (SRT sends keep-alives every second). */
export const SRT_CALLER_IDLE_MS = 10_000;

/** What a caller's datagram is, as far as the gate cares. */
export type SrtPacket =
  | { readonly kind: 'induction'; readonly socketId: number; readonly cookie: number }
  | {
      readonly kind: 'conclusion';
      readonly socketId: number;
      readonly streamId: string | undefined;
    }
  | { readonly kind: 'other' };

function isControl(msg: Buffer, type: number): boolean {
  return msg.length >= HEADER_BYTES && msg.readUInt32BE(0) >>> 16 === (0x8000 | type);
}

/** The Stream ID extension's value: words of four characters each stored little-endian. */
export function decodeStreamId(value: Buffer): string {
  const bytes = Buffer.alloc(value.length);
  for (let i = 0; i + 4 <= value.length; i += 4) bytes.writeUInt32LE(value.readUInt32BE(i), i);
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

/** Encodes a Stream ID extension value (tests build callers' handshakes with it). */
export function encodeStreamId(text: string): Buffer {
  const raw = Buffer.from(text, 'utf8');
  const padded = Buffer.alloc(Math.ceil(raw.length / 4) * 4);
  raw.copy(padded);
  const out = Buffer.alloc(padded.length);
  for (let i = 0; i < padded.length; i += 4) out.writeUInt32BE(padded.readUInt32LE(i), i);
  return out;
}

/** Reads a caller's datagram. Pure. */
export function readSrtPacket(msg: Buffer): SrtPacket {
  if (!isControl(msg, CONTROL_HANDSHAKE) || msg.length < HEADER_BYTES + HANDSHAKE_BODY_BYTES) {
    return { kind: 'other' };
  }
  const type = msg.readUInt32BE(HEADER_BYTES + 20);
  const socketId = msg.readUInt32BE(HEADER_BYTES + 24);
  if (type === HS_INDUCTION)
    return { kind: 'induction', socketId, cookie: msg.readUInt32BE(COOKIE_AT) };
  if (type !== HS_CONCLUSION) return { kind: 'other' };
  let at = HEADER_BYTES + HANDSHAKE_BODY_BYTES;
  while (at + 4 <= msg.length) {
    const extType = msg.readUInt16BE(at);
    const end = at + 4 + msg.readUInt16BE(at + 2) * 4;
    if (end > msg.length) break;
    if (extType === EXT_STREAM_ID) {
      return { kind: 'conclusion', socketId, streamId: decodeStreamId(msg.subarray(at + 4, end)) };
    }
    at = end;
  }
  return { kind: 'conclusion', socketId, streamId: undefined };
}

/**
 * The key in a Stream ID: the whole of it, or the `r` (resource) field of SRT's access-control
 * syntax (`#!::r=<key>,m=publish`), which some encoders fill in.
 */
export function keyOfStreamId(streamId: string): string {
  if (!streamId.startsWith('#!::')) return streamId;
  for (const pair of streamId.slice(4).split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === 'r') return pair.slice(eq + 1);
  }
  return '';
}

/** The listener's answer refusing a conclusion handshake with `code` (a rejection type). */
export function rejectionFor(conclusion: Buffer, socketId: number, code: number): Buffer {
  const out = Buffer.from(conclusion.subarray(0, HEADER_BYTES + HANDSHAKE_BODY_BYTES));
  out.writeUInt32BE(socketId, 12); // destination: the caller's socket
  out.writeUInt32BE(code, HEADER_BYTES + 20);
  out.writeUInt32BE(0, HEADER_BYTES + 24); // no listener socket was made
  return out;
}

/** A listener's answer to a caller's induction: HSv5, the SRT magic, `cookie`. */
export function inductionAnswer(induction: Buffer, socketId: number, cookie: number): Buffer {
  const out = Buffer.from(induction.subarray(0, HEADER_BYTES + HANDSHAKE_BODY_BYTES));
  out.writeUInt32BE(0, 4); // timestamp
  out.writeUInt32BE(socketId, 12); // destination: the caller's socket
  out.writeUInt32BE(HS_VERSION_5, HEADER_BYTES);
  out.writeUInt16BE(0, HEADER_BYTES + 4); // no encryption advertised
  out.writeUInt16BE(SRT_MAGIC, HEADER_BYTES + 6);
  out.writeUInt32BE(0, HEADER_BYTES + 24); // the listener's socket comes with the conclusion
  out.writeUInt32BE(cookie, COOKIE_AT);
  return out;
}

/** An HSv5 caller's induction for a conclusion whose induction the gate no longer holds. */
function inductionFrom(conclusion: Buffer): Buffer {
  const out = Buffer.from(conclusion.subarray(0, HEADER_BYTES + HANDSHAKE_BODY_BYTES));
  out.writeUInt32BE(4, HEADER_BYTES); // callers induct as version 4 ...
  out.writeUInt32BE(2, HEADER_BYTES + 4); // ... with the UDT datagram type in the extension field
  out.writeUInt32BE(HS_INDUCTION, HEADER_BYTES + 20);
  out.writeUInt32BE(0, COOKIE_AT);
  return out;
}

/** A copy of a conclusion handshake carrying `cookie`. */
export function withCookie(conclusion: Buffer, cookie: number): Buffer {
  const out = Buffer.from(conclusion);
  out.writeUInt32BE(cookie, COOKIE_AT);
  return out;
}

function shutdown(destinationSocketId: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + 4);
  out.writeUInt16BE(0x8000 | CONTROL_SHUTDOWN, 0);
  out.writeUInt32BE(destinationSocketId, 12);
  return out;
}

interface Caller {
  readonly address: string;
  readonly port: number;
  /** The gate's cookie in its induction answer. */
  readonly cookie: number;
  /** The caller's induction datagram, sent on to ffmpeg once the key routed the caller. */
  induction?: Buffer;
  /** Set once the key routed the caller and the slot was claimed. */
  route?: IngestRoute;
  upstream?: Socket;
  /** ffmpeg's cookie for this caller, from its induction answer. */
  upstreamCookie?: number;
  /** The caller's latest conclusion, forwarded once ffmpeg's cookie is known. */
  conclusion?: Buffer;
  socketId: number;
  /** ffmpeg's socket id for this caller, from its conclusion answer. */
  upstreamSocketId: number;
  lastSeen: number;
  release?: () => void;
}

export interface SrtGateOptions {
  /** Every event's route, by key. */
  readonly routes: IngestRoutes;
  readonly host: string;
  /** UDP port (0: any free one). */
  readonly port: number;
  readonly now?: () => number;
  /** Refusals and acceptances, never with the key. */
  readonly log: (line: string) => void;
}

export class SrtGate {
  readonly #options: SrtGateOptions;
  readonly #socket: Socket;
  readonly #callers = new Map<string, Caller>();
  readonly #now: () => number;
  #refused = 0;
  #sweep: NodeJS.Timeout | undefined;

  constructor(options: SrtGateOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#socket = createSocket('udp4');
    this.#socket.on('message', (msg, from) => this.#fromCaller(msg, from));
    // A send to a vanished caller fails per datagram; SRT retransmits or times out on its own.
    this.#socket.on('error', () => undefined);
  }

  /** Callers refused for a wrong or missing key (or a busy event) so far. */
  get refused(): number {
    return this.#refused;
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** Shuts an event's callers down (its key was rotated or its stream ended); answers how many. */
  cut(eventId: string): number {
    const cut = [...this.#callers.values()].filter((c) => c.route?.eventId === eventId);
    for (const caller of cut) this.#drop(caller, true);
    return cut.length;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(this.#options.port, this.#options.host, () => {
        this.#socket.off('error', reject);
        this.#sweep = setInterval(() => this.#forgetIdle(), SRT_CALLER_IDLE_MS / 2);
        this.#sweep.unref();
        resolve();
      });
    });
  }

  close(): Promise<void> {
    clearInterval(this.#sweep);
    for (const caller of [...this.#callers.values()]) this.#drop(caller, !!caller.route);
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #forgetIdle(): void {
    const cutoff = this.#now() - SRT_CALLER_IDLE_MS;
    for (const caller of [...this.#callers.values()]) {
      if (caller.lastSeen < cutoff) this.#drop(caller, false);
    }
  }

  #drop(caller: Caller, sayShutdown: boolean): void {
    if (sayShutdown) {
      this.#socket.send(shutdown(caller.socketId), caller.port, caller.address);
      if (caller.upstreamSocketId) caller.upstream?.send(shutdown(caller.upstreamSocketId));
    }
    caller.release?.();
    caller.upstream?.close();
    this.#callers.delete(`${caller.address}:${caller.port}`);
  }

  #caller(from: RemoteInfo): Caller | undefined {
    const id = `${from.address}:${from.port}`;
    const known = this.#callers.get(id);
    if (known) return known;
    if (this.#callers.size >= MAX_SRT_CALLERS) return undefined;
    const caller: Caller = {
      address: from.address,
      port: from.port,
      cookie: randomBytes(4).readUInt32BE(0),
      socketId: 0,
      upstreamSocketId: 0,
      lastSeen: this.#now(),
    };
    this.#callers.set(id, caller);
    return caller;
  }

  /** Opens the caller's loopback socket to its event's ffmpeg and inducts it there. */
  #openUpstream(caller: Caller, route: IngestRoute): void {
    const id = `${caller.address}:${caller.port}`;
    const upstream = createSocket('udp4');
    caller.upstream = upstream;
    upstream.on('message', (msg) => {
      if (this.#callers.get(id) !== caller) return;
      const answer = readSrtPacket(msg);
      if (answer.kind === 'induction') {
        // ffmpeg's answer to the induction the caller already had from the gate: keep its cookie.
        caller.upstreamCookie = answer.cookie;
        if (caller.conclusion) upstream.send(withCookie(caller.conclusion, answer.cookie));
        return;
      }
      if (answer.kind === 'conclusion') caller.upstreamSocketId = answer.socketId;
      this.#socket.send(msg, caller.port, caller.address);
      if (isControl(msg, CONTROL_SHUTDOWN)) this.#drop(caller, false);
    });
    // ffmpeg restarting (nothing listening): the datagram is lost and SRT sends it again.
    upstream.on('error', () => undefined);
    caller.induction ??= inductionFrom(caller.conclusion!);
    upstream.connect(route.srtUpstreamPort, '127.0.0.1', () => {
      this.#send(caller, caller.induction!);
    });
  }

  #send(caller: Caller, msg: Buffer): void {
    // Datagrams before the upstream socket connected are lost; SRT retransmits them.
    try {
      caller.upstream?.send(msg);
    } catch {
      // not connected yet: as above
    }
  }

  #fromCaller(msg: Buffer, from: RemoteInfo): void {
    const caller = this.#caller(from);
    if (!caller) return;
    caller.lastSeen = this.#now();
    const packet = readSrtPacket(msg);
    if (caller.route) {
      if (packet.kind === 'conclusion') {
        // A retransmitted conclusion: on with ffmpeg's cookie once known.
        caller.conclusion = msg;
        if (caller.upstreamCookie === undefined) {
          return this.#send(caller, caller.induction!);
        }
        return this.#send(caller, withCookie(msg, caller.upstreamCookie));
      }
      if (packet.kind === 'induction') return;
      this.#send(caller, msg);
      if (isControl(msg, CONTROL_SHUTDOWN)) this.#drop(caller, false);
      return;
    }
    if (packet.kind === 'induction') {
      caller.induction = msg;
      caller.socketId = packet.socketId;
      const answer = inductionAnswer(msg, packet.socketId, caller.cookie);
      this.#socket.send(answer, caller.port, caller.address);
      return;
    }
    if (packet.kind !== 'conclusion') return; // nothing else before the key is judged
    const { log } = this.#options;
    caller.socketId = packet.socketId;
    const key = packet.streamId === undefined ? undefined : keyOfStreamId(packet.streamId);
    const route = key === undefined ? undefined : this.#options.routes.find(key);
    if (!route || packet.streamId === undefined) {
      this.#refused++;
      log(`refused an SRT publisher: ${key === undefined ? 'no stream id' : 'wrong stream key'}`);
      this.#socket.send(
        rejectionFor(msg, packet.socketId, SRT_REJECT_FORBIDDEN),
        caller.port,
        caller.address,
      );
      return this.#drop(caller, false);
    }
    const release = route.slot.claim('srt');
    if (!release) {
      this.#refused++;
      log(`refused an SRT publisher for ${route.eventId}: another publisher is live`);
      this.#socket.send(
        rejectionFor(msg, packet.socketId, SRT_REJECT_CONFLICT),
        caller.port,
        caller.address,
      );
      return this.#drop(caller, false);
    }
    caller.release = release;
    caller.route = route;
    caller.conclusion = msg;
    log(`SRT publisher accepted for ${route.eventId}`);
    this.#openUpstream(caller, route);
  }
}
