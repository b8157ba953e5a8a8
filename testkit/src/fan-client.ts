// A real WebSocket fan for tests (the `ws` package, a separate implementation from the server),
// with a queue of decoded frames and waits that resolve on events, never on sleeps.

import {
  decodeServerMessage,
  type ClientMessage,
  type ServerMessage,
  type ServerMessageType,
} from '@fanfare/protocol';
import WebSocket from 'ws';

export type FrameOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

export interface Closed {
  code: number;
  reason: string;
}

/**
 * How long a wait may take before the test fails with a description of what was awaited: a limit
 * for a hang, not a speed. A wait spans real servers (a JetStream append, a Redis round trip, a
 * token check) in a process that shares two cores with another file's; 5 s was within reach of a
 * loaded machine's stalls (a 3 s PGlite start took 30 s there). Bounds that matter to the product
 * belong in the tests' own assertions.
 */
export const WAIT_LIMIT_MS = 20_000;

export class FanClient {
  readonly socket: WebSocket;
  /** Every decoded frame received, in order. */
  readonly frames: ServerMessage[] = [];
  readonly closed: Promise<Closed>;
  #closedWith: Closed | undefined;
  #taken = new WeakSet<ServerMessage>();
  #waiters = new Set<() => void>();

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      const frame = isBinary ? undefined : decodeServerMessage(data.toString());
      if (!frame) throw new Error(`undecodable server frame: ${data.toString().slice(0, 200)}`);
      this.frames.push(frame);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.#closedWith = { code, reason: reason.toString() };
        resolve(this.#closedWith);
        for (const wake of this.#waiters) wake();
      });
    });
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? false });
  }

  /**
   * The first frame of `type` (matching `where`) not yet returned by `next`, waiting for it
   * if needed. Frames of other types stay available to later calls.
   */
  async next<T extends ServerMessageType>(
    type: T,
    where: (frame: FrameOf<T>) => boolean = () => true,
  ): Promise<FrameOf<T>> {
    return this.#wait(`a "${type}" frame`, () => {
      const frame = this.frames.find(
        (f) => f.type === type && !this.#taken.has(f) && where(f as FrameOf<T>),
      );
      if (frame) this.#taken.add(frame);
      return frame as FrameOf<T> | undefined;
    });
  }

  /** Every chat text received so far (from `chat` frames), in order. */
  chatTexts(): string[] {
    return this.frames.flatMap((f) => (f.type === 'chat' ? f.messages.map((m) => m.text) : []));
  }

  /** Waits until `check` holds over the frames received so far. */
  async until(what: string, check: (frames: ServerMessage[]) => boolean): Promise<void> {
    await this.#wait(what, () => (check(this.frames) ? true : undefined));
  }

  close(): void {
    this.socket.close();
  }

  async #wait<R>(what: string, poll: () => R | undefined): Promise<R> {
    const first = poll();
    if (first !== undefined) return first;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(
          new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`),
        );
      }, WAIT_LIMIT_MS);
      const wake = () => {
        const result = poll();
        if (result !== undefined) {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve(result);
        } else if (this.socket.readyState === WebSocket.CLOSED) {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          const { code, reason } = this.#closedWith ?? { code: 0, reason: '' };
          reject(
            new Error(
              `socket closed (${code} "${reason}") while waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`,
            ),
          );
        }
      };
      this.#waiters.add(wake);
    });
  }
}

export interface ConnectOptions {
  protocols?: string[];
  headers?: Record<string, string>;
}

/** Opens a fan connection; resolves once the socket is open. */
export function connectFan(url: string, options: ConnectOptions = {}): Promise<FanClient> {
  const socket = new WebSocket(url, options.protocols ?? ['fanfare.v1'], {
    headers: options.headers ?? {},
  });
  const client = new FanClient(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
}

export interface Refusal {
  status: number;
  reason: string | undefined;
  body: string;
  /** The `Retry-After` header, when sent. */
  retryAfter: string | undefined;
}

/** Attempts an upgrade that must be refused; resolves with the HTTP status and reason. */
export function expectRefused(url: string, options: ConnectOptions = {}): Promise<Refusal> {
  const socket = new WebSocket(url, options.protocols ?? ['fanfare.v1'], {
    headers: options.headers ?? {},
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('upgrade was accepted but should have been refused'));
    });
    socket.once('error', () => undefined); // the refusal below is what we wait for
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const reason = res.headers['x-fanfare-error'];
        resolve({
          status: res.statusCode ?? 0,
          reason: Array.isArray(reason) ? reason[0] : reason,
          retryAfter: res.headers['retry-after'],
          body,
        });
      });
    });
  });
}
