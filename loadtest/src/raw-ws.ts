// A minimal RFC 6455 client over a raw `net` socket: the generator's connection to every server
// under test. One process runs ~19k of them, so each costs a socket, this object and a parse
// state, and reading costs no allocation: every socket reads into one shared buffer (Node's
// `onread` option, no stream machinery) and payloads are handed over as ranges of it.
// Trade-off: no extensions (permessage-deflate is never offered), no UTF-8 validation (the
// servers are trusted) and text payloads are never turned into strings here.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import {
  FrameParseState,
  Opcode,
  closePayload,
  encodeClientFrame,
  parseFrames,
  readClose,
} from './ws-frames.js';
import type { FrameSink } from './ws-frames.js';
import { newHandshakeKey, readHandshake, upgradeRequest } from './ws-handshake.js';
import type { UpgradeTarget } from './ws-handshake.js';

/** Shared by every socket of the process: reads are synchronous with their callback. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** Close code when the connection ended without a close frame (RFC 6455 7.1.5). */
export const ABNORMAL_CLOSE = 1006;

export type RawWsState = 'connecting' | 'open' | 'closing' | 'closed';

export interface RawWsClosed {
  /** The server's close code, ABNORMAL_CLOSE without one, 0 for a refused or failed upgrade. */
  code: number;
  reason: string;
  /** Whether the upgrade had completed. */
  opened: boolean;
  /** The HTTP status of a refused upgrade; 0 otherwise. */
  status: number;
  /** A refused upgrade's `Retry-After`, seconds, when it sent one. */
  retryAfterS?: number | undefined;
}

/** Receives every connection's events; one handler serves all connections of a process. */
export interface RawWsHandler<T> {
  open(ws: RawWebSocket<T>): void;
  /** A text message, buf[start, end), valid only during the call. */
  text(ws: RawWebSocket<T>, buf: Buffer, start: number, end: number): void;
  /** Called exactly once, whatever ended the connection (refusal, error, close, timeout). */
  closed(ws: RawWebSocket<T>, info: RawWsClosed): void;
}

export interface RawWsOptions extends UpgradeTarget {
  /** Source address (e.g. 127.0.0.2), to spread ephemeral ports over several addresses. */
  localAddress: string | undefined;
  /** Bound on TCP connect plus the upgrade answer, ms. */
  timeoutMs: number;
}

export class RawWebSocket<T> implements FrameSink {
  /** The caller's per-connection data. */
  readonly owner: T;
  #handler: RawWsHandler<T>;
  #socket: Socket;
  #state: RawWsState = 'connecting';
  #key: string;
  #head: Buffer | undefined;
  #parse = new FrameParseState();
  #timer: NodeJS.Timeout | undefined;
  #closeCode = ABNORMAL_CLOSE;
  #closeReason = '';
  #status = 0;
  #retryAfterS: number | undefined;
  #reported = false;

  constructor(options: RawWsOptions, handler: RawWsHandler<T>, owner: T) {
    this.owner = owner;
    this.#handler = handler;
    this.#key = newHandshakeKey();
    this.#socket = connect({
      host: options.host,
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n, buf) => {
          this.#onRead(n, buf as Buffer);
          return true; // Keep reading; false would pause the socket.
        },
      },
    });
    this.#socket.write(upgradeRequest(options, this.#key));
    this.#socket.on('error', (error) => {
      if (this.#state === 'connecting') this.#closeReason = error.message;
      else this.#closeReason ||= error.message;
    });
    this.#socket.on('close', () => this.#report());
    this.#timer = setTimeout(() => {
      this.#closeReason = `no upgrade answer within ${options.timeoutMs} ms`;
      this.#socket.destroy();
    }, options.timeoutMs);
  }

  get state(): RawWsState {
    return this.#state;
  }

  /** Sends one text message; dropped silently unless open (the close is reported anyway). */
  send(text: string | Buffer): void {
    if (this.#state === 'open') this.#socket.write(encodeClientFrame(Opcode.text, text));
  }

  /** Writes an already encoded (masked) frame, e.g. one built once and sent by many. */
  sendFrame(frame: Buffer): void {
    if (this.#state === 'open') this.#socket.write(frame);
  }

  /** Starts the closing handshake; the socket ends when the server answers or goes away. */
  close(code = 1000, reason = ''): void {
    if (this.#state !== 'open') {
      if (this.#state === 'connecting') this.destroy();
      return;
    }
    this.#state = 'closing';
    this.#closeCode = code;
    this.#socket.write(encodeClientFrame(Opcode.close, closePayload(code, reason)));
    this.#socket.end();
  }

  /** Drops the connection at once, without a close frame (what a network loss looks like). */
  destroy(): void {
    this.#socket.destroy();
  }

  frame(opcode: number, buf: Buffer, start: number, end: number): void {
    if (opcode === Opcode.text) {
      this.#handler.text(this, buf, start, end);
    } else if (opcode === Opcode.ping) {
      this.#socket.write(encodeClientFrame(Opcode.pong, buf.subarray(start, end)));
    } else if (opcode === Opcode.close) {
      const { code, reason } = readClose(buf, start, end);
      if (this.#state === 'open') {
        this.#closeCode = code;
        this.#closeReason = reason;
        this.#state = 'closing';
        this.#socket.end(encodeClientFrame(Opcode.close, buf.subarray(start, end)));
      }
    }
    // Binary frames are not part of any protocol under test, and pongs answer nothing we sent.
  }

  protocolError(message: string): void {
    this.#closeReason = `protocol error: ${message}`;
    this.#socket.destroy();
  }

  #onRead(n: number, buf: Buffer): void {
    if (this.#state !== 'connecting') {
      parseFrames(this.#parse, this, buf, 0, n);
      return;
    }
    // The handshake answer usually comes whole, often with the first frames behind it.
    const head =
      this.#head === undefined
        ? Buffer.from(buf.subarray(0, n))
        : Buffer.concat([this.#head, buf.subarray(0, n)]);
    const answer = readHandshake(head, this.#key);
    if (answer.kind === 'incomplete') {
      this.#head = head;
      return;
    }
    this.#head = undefined;
    clearTimeout(this.#timer);
    if (answer.kind === 'refused') {
      this.#status = answer.status;
      this.#retryAfterS = answer.retryAfterS;
      this.#closeCode = 0;
      this.#closeReason = answer.reason;
      this.#socket.destroy();
      return;
    }
    this.#state = 'open';
    this.#handler.open(this);
    if (answer.bodyStart < head.length)
      parseFrames(this.#parse, this, head, answer.bodyStart, head.length);
  }

  #report(): void {
    clearTimeout(this.#timer);
    if (this.#reported) return;
    this.#reported = true;
    const opened = this.#state !== 'connecting';
    if (!opened && this.#closeCode !== 0) this.#closeCode = 0;
    this.#state = 'closed';
    this.#handler.closed(this, {
      code: this.#closeCode,
      reason: this.#closeReason,
      opened,
      status: this.#status,
      retryAfterS: this.#retryAfterS,
    });
  }
}
