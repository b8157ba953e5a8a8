// A real embedded engine (API + gateway on free ports) and fans joined to it through the API,
// each a FanfareClient over the `ws` package with its sockets kept for tests that drop them.

import { startEngine, type Engine } from '@fanfare/embedded';
import { silentLogger } from '@fanfare/gateway';
import WebSocket from 'ws';
import { FanfareClient, type FanfareClientOptions, type SocketLike } from '../src/index.js';
import { waitFor } from './wait-for.js';

export type { Engine };
/** An engine whose fans may chat quickly (the tests send bursts from one fan). */
export function startTestEngine(env: Record<string, string> = {}): Promise<Engine> {
  return startEngine(
    {
      API_PORT: '0',
      GATEWAY_PORT: '0',
      PGLITE_DATA_DIR: 'memory',
      EMBEDDED_MEDIA: 'off',
      CHAT_RATE_PER_SECOND: '50',
      CHAT_BURST: '50',
      ...env,
    },
    { apiLogger: silentLogger, gatewayLogger: silentLogger },
  );
}

export interface Joined {
  token: string;
  gatewayUrl: string;
}

/** Joins the demo event over HTTP, as an app would. */
export async function join(engine: Engine, name: string): Promise<Joined> {
  const res = await fetch(`${engine.apiUrl}/v1/events/demo/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 200) throw new Error(`join failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Joined;
}

export interface Fan {
  client: FanfareClient;
  /** Every socket the client opened, oldest first. */
  sockets: WebSocket[];
  /** The socket in use now. */
  socket(): WebSocket;
}

/** A client for a newly joined fan, not yet connected. Reconnects fast (20 ms backoff cap). */
export async function newFan(
  engine: Engine,
  name: string,
  options: Partial<FanfareClientOptions> = {},
): Promise<Fan> {
  const { token, gatewayUrl } = await join(engine, name);
  const sockets: WebSocket[] = [];
  const client = new FanfareClient({
    url: gatewayUrl,
    token,
    WebSocket,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
    onSocket: (socket: SocketLike) => {
      sockets.push(socket as unknown as WebSocket);
      options.onSocket?.(socket);
    },
  });
  return {
    client,
    sockets,
    socket() {
      const last = sockets.at(-1);
      if (!last) throw new Error(`${name} has no socket yet`);
      return last;
    },
  };
}

/** A joined fan, connected and welcomed. */
export async function connectedFan(
  engine: Engine,
  name: string,
  options: Partial<FanfareClientOptions> = {},
): Promise<Fan> {
  const fan = await newFan(engine, name, options);
  const welcomed = waitFor(fan.client, 'welcome');
  fan.client.connect();
  await welcomed;
  return fan;
}

/**
 * Wraps a socket's message handler (set by the client before `onSocket` runs) so a test can
 * watch or swallow frames: `filter` returns false to keep a frame from the client.
 */
export function interceptFrames(socket: SocketLike, filter: (frame: string) => boolean): void {
  const deliver = socket.onmessage;
  socket.onmessage = (event) => {
    if (typeof event.data === 'string' && !filter(event.data)) return;
    deliver?.(event);
  };
}
