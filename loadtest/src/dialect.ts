// How the generator speaks to each kind of server under test, over the same raw WebSocket
// client. All three carry the same JSON messages (the peers in loadtest/src/peers/ build
// Fanfare-shaped chat frames), so one frame reader and one set of counters serve every target;
// a dialect only says how a message is wrapped on the wire and answers transport chatter.
//
// - fanfare: protocol v1 as is (subprotocol `fanfare.v1`, token in the query).
// - uws-raw: the same JSON, no auth, no subprotocol.
// - socketio: Engine.IO v4 / Socket.IO v4 framing: `0{...}` open (answered `40`), `40{...}`
//   connected, `2` ping (answered `3`), `42["<event>",<message>]` events. The event's data is the
//   same JSON message, so unwrapping is slicing off the `42["<event>",` prefix and the final `]`.

import { encodeClientFrame, Opcode } from './ws-frames.js';

export const TARGET_KINDS = ['fanfare', 'uws-raw', 'socketio'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export function isTargetKind(value: string): value is TargetKind {
  return (TARGET_KINDS as readonly string[]).includes(value);
}

/** What a dialect may do on the connection while unwrapping (answer a ping, say hello). */
export interface DialectSocket {
  sendFrame(frame: Buffer): void;
}

export interface Dialect {
  readonly kind: TargetKind;
  /** Subprotocols offered at the upgrade. */
  readonly protocols: readonly string[];
  /** Path (and query) of the upgrade for a server that hands out no per-fan URL. */
  readonly path: string;
  /**
   * Where the JSON message inside buf[start, end) starts, or -1 when the frame was transport
   * chatter (handled here) or carries no message. The message ends `suffixBytes` before `end`.
   */
  unwrap(socket: DialectSocket, buf: Buffer, start: number, end: number): number;
  readonly suffixBytes: number;
  /** The frame text for a client message of `type` whose JSON is `json`. */
  wrap(type: string, json: string): string;
}

const identity = {
  unwrap: (_socket: DialectSocket, _buf: Buffer, start: number): number => start,
  suffixBytes: 0,
  wrap: (_type: string, json: string): string => json,
};

export const FANFARE_DIALECT: Dialect = {
  kind: 'fanfare',
  protocols: ['fanfare.v1'],
  path: '/ws',
  ...identity,
};

export const UWS_RAW_DIALECT: Dialect = {
  kind: 'uws-raw',
  protocols: [],
  path: '/ws',
  ...identity,
};

const DIGIT_0 = 0x30;
const DIGIT_2 = 0x32;
const DIGIT_4 = 0x34;
const QUOTE = 0x22;
const COMMA = 0x2c;
/** Engine.IO packet types (the first byte) and Socket.IO packet types (the second). */
const EIO_OPEN = DIGIT_0;
const EIO_PING = DIGIT_2;
const EIO_MESSAGE = DIGIT_4;
const SIO_EVENT = DIGIT_2;

/** Where the data of a `42["name",data]` event starts (after the comma); -1 if not one. */
export function socketIoEventData(buf: Buffer, start: number, end: number): number {
  // `42[` then a quoted event name (never containing a quote in our events), then `,`.
  if (end - start < 6 || buf[start + 2] !== 0x5b || buf[start + 3] !== QUOTE) return -1;
  let i = start + 4;
  while (i < end && buf[i] !== QUOTE) i++;
  return buf[i + 1] === COMMA ? i + 2 : -1;
}

export const SOCKETIO_DIALECT: Dialect = {
  kind: 'socketio',
  protocols: [],
  path: '/socket.io/?EIO=4&transport=websocket',
  unwrap(socket, buf, start, end) {
    const type = buf[start];
    if (type === EIO_MESSAGE && buf[start + 1] === SIO_EVENT)
      return socketIoEventData(buf, start, end);
    if (type === EIO_PING) socket.sendFrame(encodeClientFrame(Opcode.text, '3'));
    else if (type === EIO_OPEN) socket.sendFrame(encodeClientFrame(Opcode.text, '40'));
    // `40{...}` (connected), `3` (pong) and anything else: nothing to do.
    return -1;
  },
  suffixBytes: 1,
  wrap: (type, json) => `42["${type}",${json}]`,
};

export function dialectFor(kind: TargetKind): Dialect {
  switch (kind) {
    case 'fanfare':
      return FANFARE_DIALECT;
    case 'uws-raw':
      return UWS_RAW_DIALECT;
    case 'socketio':
      return SOCKETIO_DIALECT;
  }
}
