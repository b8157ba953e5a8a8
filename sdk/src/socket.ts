// The WebSocket as the client sees it: the subset of the WHATWG WebSocket that both browsers and
// the `ws` package implement, so either constructor can be injected. Only text frames and the
// `on*` handler properties are used.

import type { StreamPosition } from '@fanfare/protocol';
import { credentialParam, type Attempt } from './credentials.js';

// A handler property typed through a method so it is checked bivariantly: `ws` and the DOM
// declare richer event types than the fields read here, and both must stay assignable.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** One WebSocket connection. */
export interface SocketLike {
  /** The subprotocol the server picked ('' for none). */
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  /** Text frames arrive as strings; anything else is ignored. */
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** `globalThis.WebSocket` in browsers (and Node 22+), or `WebSocket` from the `ws` package. */
export type WebSocketConstructor = new (url: string, protocols: string[]) => SocketLike;

/**
 * The attempt's gateway URL with its token or resume ticket and, when resuming, the last
 * position seen (`since` and `epoch`). Any other query the URL already has is kept.
 */
export function connectUrl(attempt: Attempt, since: StreamPosition | undefined): string {
  const url = new URL(attempt.url);
  const [name, value] = credentialParam(attempt);
  url.searchParams.delete('token');
  url.searchParams.delete('ticket');
  url.searchParams.set(name, value);
  url.searchParams.delete('since');
  url.searchParams.delete('epoch');
  if (since !== undefined) {
    url.searchParams.set('since', String(since.seq));
    url.searchParams.set('epoch', since.epoch);
  }
  return url.toString();
}

const noop = (): void => {};

/**
 * Stops a socket from reaching the client and closes it. `onerror` gets a no-op rather than
 * null: `ws` throws an unhandled 'error' event (closing while connecting emits one) when no
 * listener is left.
 */
export function discardSocket(socket: SocketLike, code: number, reason: string): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = noop;
  try {
    socket.close(code, reason);
  } catch {
    // Already closed or closing: nothing is left to release.
  }
}
