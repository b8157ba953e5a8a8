// An in-process stand-in for the gateway, speaking the real protocol types over fake sockets
// (the centrifuge-js approach): the client's state machine, resume and retry logic are driven
// frame by frame, with no network and no timing. A responder (fake-party.ts) may answer frames
// as the gateway would: party requests, and pings with the server's time.

import type {
  ChatMessage,
  ClientMessage,
  PollTally,
  PollView,
  ServerMessage,
  Snapshot,
  StageView,
  Tombstone,
  Welcome,
} from '@fanfare/protocol';
import { ManualClock } from '@fanfare/fanout/testing';
import {
  FanfareClient,
  type FanfareClientOptions,
  type SocketLike,
  type WebSocketConstructor,
} from '../src/index.js';
import { collect } from './wait-for.js';

export class FakeSocket implements SocketLike {
  readonly url: URL;
  readonly protocols: string[];
  readonly protocol = 'fanfare.v1';
  /** Frames the client sent, decoded. */
  readonly sent: ClientMessage[] = [];
  /** Server side: called with every frame the client sends, after it is recorded. */
  respond: ((message: ClientMessage) => void) | undefined;
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
    const message = JSON.parse(data) as ClientMessage;
    this.sent.push(message);
    this.respond?.(message);
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
  /** Gives each new socket its responder (see FakeSocket.respond). */
  responder: ((socket: FakeSocket) => (message: ClientMessage) => void) | undefined;

  constructor() {
    const sockets = this.sockets;
    const waiters = this.#waiters;
    const respondFor = (socket: FakeSocket) => this.responder?.(socket);
    this.WebSocket = class extends FakeSocket {
      constructor(url: string, protocols: string[]) {
        super(url, protocols);
        this.respond = respondFor(this);
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

/** A deletion of message `m<of>` at seq `seq` (see chatMessage's ids). */
export function tombstone(seq: number, of: number): Tombstone {
  return { seq, id: `m${of}` };
}

/** A live event's stage at `version`, with no polls unless given. */
export function stageView(version = 1, over: Partial<StageView> = {}): StageView {
  return {
    version,
    title: 'Demo',
    state: 'live',
    pinned: null,
    slowModeS: null,
    entitledOnlyChat: false,
    polls: [],
    ...over,
  };
}

/** An open poll with options yes, no and maybe. */
export function pollView(id: string, over: Partial<PollView> = {}): PollView {
  return {
    id,
    question: 'Encore?',
    options: ['yes', 'no', 'maybe'],
    state: 'open',
    opensAt: 1_700_000_000_000,
    closesAt: 1_700_000_060_000,
    ...over,
  };
}

export function pollTally(pollId: string, version: number, counts = [version, 0, 0]): PollTally {
  return { pollId, version, counts, total: counts.reduce((a, b) => a + b, 0) };
}

/**
 * A welcome whose snapshot defaults to fresh, empty chat, stage version 1 and no tallies;
 * `lastSeq` defaults to the highest seq among the given chat and deletions.
 */
export function welcome(snapshot: Partial<Snapshot> = {}, user = author()): Welcome {
  return {
    type: 'welcome',
    version: 1,
    sessionId: 's1',
    eventId: 'demo',
    user,
    serverTime: 1_700_000_000_000,
    snapshot: {
      continuity: 'fresh',
      chat: [],
      epoch: 'e1',
      lastSeq: Math.max(
        0,
        ...[...(snapshot.chat ?? []), ...(snapshot.deleted ?? [])].map((e) => e.seq),
      ),
      stage: stageView(),
      tallies: [],
      viewers: 1,
      reactions: {},
      ...snapshot,
    },
  };
}

export function author(id = 'u1', name = 'Ann'): ChatMessage['author'] {
  return { id, name, role: 'fan' };
}

/** A client on a fake server and a manual clock, with its `state` and `chat` events collected. */
export function setup(options: Partial<FanfareClientOptions> = {}) {
  const server = new FakeServer();
  const clock = new ManualClock();
  const client = new FanfareClient({
    url: 'ws://gateway.test/ws',
    token: 'tok',
    WebSocket: server.WebSocket,
    clock,
    random: () => 1,
    ...options,
  });
  const states = collect(client, 'state');
  const chat = collect(client, 'chat');
  const seqs = () => chat.map((m) => m.seq);
  return { server, clock, client, states, chat, seqs };
}

/** Connects (when idle) and answers with a welcome; returns the socket. */
export async function open(
  server: FakeServer,
  client: FanfareClient,
  snapshot: Parameters<typeof welcome>[0] = {},
  user = author(),
): Promise<FakeSocket> {
  if (client.state === 'idle') client.connect();
  const socket = await server.next();
  socket.deliver(welcome(snapshot, user));
  return socket;
}
