// An in-process stand-in for the gateway, speaking the real protocol types over fake sockets
// (the centrifuge-js approach): the client's state machine, resume and retry logic are driven
// frame by frame, with no network and no timing.

import type {
  ChatMessage,
  ClientMessage,
  ServerMessage,
  Snapshot,
  Welcome,
} from '@fanfare/protocol';
import type { SocketLike, WebSocketConstructor } from '../src/index.js';

export class FakeSocket implements SocketLike {
  readonly url: URL;
  readonly protocols: string[];
  readonly protocol = 'fanfare.v1';
  /** Frames the client sent, decoded. */
  readonly sent: ClientMessage[] = [];
  /** Set when the client closed this socket. */
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(url: string, protocols: string[]) {
    this.url = new URL(url);
    this.protocols = protocols;
  }

  send(data: string): void {
    if (this.closedWith) throw new Error('send on a closed socket');
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  /** Server side: sends a frame to the client. */
  deliver(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** Server side: the connection ends with `code`. */
  drop(code: number, reason = ''): void {
    this.onerror?.({});
    this.onclose?.({ code, reason });
  }

  /** Frames of one type the client sent. */
  sentOf<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ClientMessage, { type: T }> => m.type === type);
  }
}

export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  #claimed = 0;
  #waiters: ((socket: FakeSocket) => void)[] = [];
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const sockets = this.sockets;
    const waiters = this.#waiters;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols);
        sockets.push(this);
        waiters.shift()?.(this);
      }
    };
  }

  /**
   * The next socket the client opens that the test has not taken yet. The client creates it
   * after awaiting its token, so this waits a few microtasks at most.
   */
  async next(): Promise<FakeSocket> {
    const ready = this.sockets[this.#claimed];
    if (ready) {
      this.#claimed++;
      return ready;
    }
    const socket = await new Promise<FakeSocket>((resolve) => this.#waiters.push(resolve));
    this.#claimed++;
    return socket;
  }
}

export function chatMessage(seq: number, text = `message ${seq}`): ChatMessage {
  return { id: `m${seq}`, seq, ts: 1_700_000_000_000 + seq, author: author(), text };
}

export function welcome(snapshot: Partial<Snapshot> = {}): Welcome {
  return {
    type: 'welcome',
    version: 1,
    sessionId: 's1',
    eventId: 'demo',
    user: author(),
    serverTime: 1_700_000_000_000,
    snapshot: {
      continuity: 'fresh',
      chat: [],
      lastSeq: snapshot.chat?.at(-1)?.seq ?? 0,
      viewers: 1,
      reactions: {},
      ...snapshot,
    },
  };
}

function author(): ChatMessage['author'] {
  return { id: 'u1', name: 'Ann', role: 'fan' };
}
