// The one RTMP ingest port of the media process, in front of every event's ffmpeg listener.
// Encoders publish to `rtmp://<host>:<port>/live/<key>`; the key alone says which event the
// publisher feeds (IngestRoutes). It arrives only after the RTMP handshake and the `connect`
// exchange, so the gate answers those itself (the server's half of the simple handshake and a
// successful `connect` result), then reads the client's commands up to the first that names the
// stream (releaseStream, FCPublish or publish). A key no event holds closes the connection and is
// logged without the key, as is a malformed preamble or one past MAX_PREAMBLE_BYTES. A known key
// claims the event's PublisherSlot; then the gate opens the client's half of a handshake with
// that event's ffmpeg listener on loopback and replays everything the client sent after its
// handshake, so ffmpeg sees the session from `connect` on. ffmpeg's own answers to what the gate
// already answered (up to its `connect` result) are dropped, and its later messages are re-sent
// as whole chunks at the default chunk size (the client's chunk-stream state is the gate's, not
// ffmpeg's). After that the gate relays the client's bytes as they are. A new key for an event
// (rotation) or its end cuts the publishers that came in with the old one (cut()).

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { IngestRoute, IngestRoutes } from './ingest-routes.js';
import {
  AMF0_COMMAND,
  ChunkReader,
  HANDSHAKE_BYTES,
  SET_CHUNK_SIZE,
  commandOf,
  connectResult,
  handshakeOpening,
  scanForPublish,
  writeMessage,
} from './rtmp-chunks.js';

/** Bytes read from a client before it must have published (a few KB in practice). */
export const MAX_PREAMBLE_BYTES = 64 * 1024;
/** While ffmpeg (re)starts its listener: tries, and the pause between them. */
const UPSTREAM_ATTEMPTS = 50;
const UPSTREAM_RETRY_MS = 100;
const C0C1_BYTES = 1 + 1536;

/** The key part of a publish name: OBS and others may append `?query` parameters. */
function keyOf(name: string): string {
  const q = name.indexOf('?');
  return q < 0 ? name : name.slice(0, q);
}

export interface RtmpGateOptions {
  /** Every event's route, by key. */
  readonly routes: IngestRoutes;
  readonly host: string;
  /** TCP port (0: any free one). */
  readonly port: number;
  /** Refusals and acceptances, never with the key. */
  readonly log: (line: string) => void;
}

export class RtmpGate {
  readonly #options: RtmpGateOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Closers of accepted publishers' relays, by event. */
  readonly #publishers = new Map<string, Set<() => void>>();
  #refused = 0;

  constructor(options: RtmpGateOptions) {
    this.#options = options;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Publishers refused for a wrong key, a busy event or a malformed stream so far. */
  get refused(): number {
    return this.#refused;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Cuts an event's publishers (its key was rotated or its stream ended); answers how many. */
  cut(eventId: string): number {
    const closers = [...(this.#publishers.get(eventId) ?? [])];
    this.#publishers.delete(eventId);
    for (const close of closers) close();
    return closers.length;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    // A failing socket ends the relay through 'close'; there is nothing to recover.
    socket.on('error', () => undefined);
  }

  #accept(client: Socket): void {
    const { log } = this.#options;
    this.#track(client);
    let closed = false;
    const cleanups: (() => void)[] = [];
    const closeBoth = (): void => {
      if (closed) return;
      closed = true;
      for (const c of cleanups.splice(0)) c();
      client.destroy();
    };
    client.once('close', closeBoth);
    const refuse = (why: string, eventId?: string): void => {
      this.#refused++;
      log(`refused an RTMP publisher${eventId ? ` for ${eventId}` : ''}: ${why}`);
      closeBoth();
    };
    let seen = Buffer.alloc(0);
    let answeredHandshake = false;
    let connectTxn: number | undefined;
    const sniff = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      if (!answeredHandshake && seen.length >= C0C1_BYTES) {
        answeredHandshake = true;
        // S0 and S1, then S2: the client's C1 echoed.
        client.write(Buffer.concat([handshakeOpening(), seen.subarray(1, C0C1_BYTES)]));
      }
      const scan = scanForPublish(seen);
      if (scan.kind === 'invalid' || seen.length > MAX_PREAMBLE_BYTES) {
        return refuse('malformed stream');
      }
      if (scan.kind === 'more') {
        if (connectTxn === undefined && scan.connectTxn !== undefined) {
          connectTxn = scan.connectTxn;
          client.write(connectResult(connectTxn));
        }
        return;
      }
      client.off('data', sniff);
      const route = this.#options.routes.find(keyOf(scan.name));
      if (!route) return refuse('wrong stream key');
      const release = route.slot.claim('rtmp');
      if (!release) return refuse('another publisher is live', route.eventId);
      cleanups.push(release);
      log(`RTMP publisher accepted for ${route.eventId}`);
      const mine = this.#publishers.get(route.eventId) ?? new Set();
      this.#publishers.set(route.eventId, mine);
      mine.add(closeBoth);
      cleanups.push(() => mine.delete(closeBoth));
      this.#relay(client, route, seen.subarray(HANDSHAKE_BYTES), connectTxn, closeBoth, cleanups);
    };
    client.on('data', sniff);
  }

  /** Joins the accepted client to its event's ffmpeg listener (see the file's comment). */
  #relay(
    client: Socket,
    route: IngestRoute,
    replay: Buffer,
    connectTxn: number | undefined,
    closeBoth: () => void,
    cleanups: (() => void)[],
  ): void {
    const pending: Buffer[] = [replay];
    const toClient = (bytes: Buffer): boolean => client.write(bytes);
    const fromClient = (bytes: Buffer): void => {
      pending.push(bytes);
    };
    client.on('data', fromClient);
    let upstream: Socket | undefined;
    let gone = false;
    cleanups.push(() => {
      gone = true;
      upstream?.destroy();
    });
    const attach = (socket: Socket): void => {
      upstream = socket;
      this.#track(socket);
      socket.once('close', closeBoth);
      socket.write(handshakeOpening());
      let handshake = Buffer.alloc(0);
      const reader = new ChunkReader();
      // Until ffmpeg's `connect` result, its answers repeat what the gate already said.
      let dropping = connectTxn !== undefined;
      const relayMessages = (bytes: Buffer): void => {
        for (const message of reader.push(bytes)) {
          if (message.type === SET_CHUNK_SIZE) continue; // the gate's chunking, not ffmpeg's
          if (dropping) {
            const command = message.type === AMF0_COMMAND ? commandOf(message.payload) : undefined;
            if (command?.name === '_result' && command.txn === connectTxn) dropping = false;
            continue;
          }
          toClient(writeMessage(message));
        }
      };
      socket.on('data', (chunk: Buffer) => {
        if (handshake.length >= HANDSHAKE_BYTES) {
          try {
            return relayMessages(chunk);
          } catch {
            return closeBoth(); // ffmpeg's chunk stream is unreadable: the session cannot go on
          }
        }
        handshake = Buffer.concat([handshake, chunk]);
        if (handshake.length < HANDSHAKE_BYTES) return;
        // C2: ffmpeg's S1 echoed, then the client's session so far, then the live relay.
        socket.write(handshake.subarray(1, C0C1_BYTES));
        client.off('data', fromClient);
        for (const b of pending.splice(0)) socket.write(b);
        client.on('data', (bytes: Buffer) => socket.write(bytes));
        const rest = handshake.subarray(HANDSHAKE_BYTES);
        handshake = handshake.subarray(0, HANDSHAKE_BYTES);
        if (rest.length > 0) socket.emit('data', rest);
      });
    };
    const connectUpstream = (attempt: number): void => {
      const socket = connect(route.rtmpUpstreamPort, '127.0.0.1');
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        if (gone) return void socket.destroy();
        attach(socket);
      });
      socket.once('error', () => {
        socket.destroy();
        if (gone) return;
        if (attempt >= UPSTREAM_ATTEMPTS) {
          this.#options.log(
            `RTMP ingest for ${route.eventId} is not listening; dropped a publisher`,
          );
          return closeBoth();
        }
        setTimeout(() => connectUpstream(attempt + 1), UPSTREAM_RETRY_MS);
      });
    };
    connectUpstream(1);
  }
}
