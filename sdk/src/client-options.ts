// What a FanfareClient is built from: where to connect, how to authenticate, and the injected
// time, randomness and socket class that let tests drive every wait; and their defaults and checks.

import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { Clock } from './clock.js';
import type { JoinFn } from './credentials.js';
import type { SocketLike, WebSocketConstructor } from './socket.js';

export interface FanfareClientOptions {
  /**
   * How to get a token and a shard before each connection attempt (see `apiJoin`). The last
   * token is passed back so the API keeps the fan's identity. With `join`, a fan whose shard
   * died is placed on a live one; `url` and `token` are then ignored.
   */
  join?: JoinFn;
  /** The gateway URL from the join response (`gatewayUrl`), ws: or wss:. Unused with `join`. */
  url?: string;
  /**
   * The fan token, or a function that fetches one. A function is called before the first
   * connection, again after a close code whose policy is `reauth`, and again when the token it
   * gave is within 30 s of its `exp` (a refused upgrade is invisible to browsers). A plain string
   * is used as is; a `reauth` close then ends the client.
   */
  token?: string | (() => Promise<string>);
  /** The WebSocket class; defaults to `globalThis.WebSocket`. Node 20 has none: pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff bounds; see backoff.ts. */
  backoff?: Partial<BackoffOptions>;
  clock?: Clock;
  /** Returns a number in [0, 1]; used for backoff jitter (and keys when crypto is missing). */
  random?: () => number;
  /** The reaction window, ms (default 100). */
  tapFlushMs?: number;
  /**
   * Called with every socket right after the client creates it and sets its handlers. For
   * diagnostics and tests (dropping a connection on purpose, wrapping `onmessage` to watch
   * frames); sending on it bypasses the client's bookkeeping.
   */
  onSocket?: (socket: SocketLike) => void;
}

/** Default reaction window, ms: at most one `react` frame per emoji per window. */
export const TAP_FLUSH_MS = 100;

/** The options a client runs with: checked, defaults filled in. */
export interface ResolvedClientOptions {
  WebSocket: WebSocketConstructor;
  backoff: BackoffOptions;
  random: () => number;
  tapFlushMs: number;
}

/** Fills in the defaults; throws TypeError (no WebSocket) or RangeError (bad bounds). */
export function resolveClientOptions(options: FanfareClientOptions): ResolvedClientOptions {
  const WebSocket =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor | undefined }).WebSocket;
  if (!WebSocket) {
    throw new TypeError('no global WebSocket: pass options.WebSocket (in Node 20, from "ws")');
  }
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const tapFlushMs = options.tapFlushMs ?? TAP_FLUSH_MS;
  if (!(backoff.initialMs > 0 && backoff.maxMs >= backoff.initialMs && backoff.factor >= 1)) {
    throw new RangeError('backoff needs initialMs > 0, maxMs >= initialMs and factor >= 1');
  }
  if (!(tapFlushMs > 0)) throw new RangeError('tapFlushMs must be > 0');
  return { WebSocket, backoff, random: options.random ?? Math.random, tapFlushMs };
}
