// Listening on a real socket, shared by the standalone main.ts and the embedded launcher. Port 0
// is allowed and the port actually bound is reported, so tests never pick ports themselves.
//
// A response can finish before its request body was read (413 on Content-Length, 401 before the
// body is looked at). Closing a socket whose receive buffer still holds the client's bytes makes
// the kernel send a reset, and a client that is still writing then loses the response it was
// sent. So the rest of such a body is read and thrown away (bounded), keeping the connection;
// past the bound the server half-closes (a FIN after the response) and keeps discarding until
// the client closes, as nginx's lingering close does.

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

/** Most bytes of an unread request body discarded after its response before half-closing. */
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
/** Longest a request body is discarded after its response before half-closing, ms. */
export const DRAIN_MAX_MS = 10_000;
/** Longest a half-closed connection waits for the client to close before it is dropped, ms. */
export const LINGER_MAX_MS = 5_000;

/** Reads and discards what is left of a request body whose response has been sent. */
function discardRest(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  const socket = req.socket;
  let read = 0;
  const halfClose = () => {
    clearTimeout(timer);
    req.off('data', count);
    // The response is flushed: a FIN follows it. Reading continues (the parser still consumes
    // the socket) until the client closes its side, which destroys the socket, or time is up.
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MAX_MS).unref();
  };
  const count = (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_MAX_BYTES) halfClose();
  };
  const timer = setTimeout(halfClose, DRAIN_MAX_MS).unref();
  // Whoever was reading (the fetch adapter's stream, paused when its reader stopped) is done:
  // as Node's own dump of an unread body does, drop it so nothing pauses the stream again.
  req.removeAllListeners('data');
  req.on('data', count);
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

export interface StartApiOptions {
  /** Anything with a fetch handler; a Hono app from createApp in practice. */
  app: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };
  host: string;
  /** 0 binds any free port. */
  port: number;
}

export interface RunningApi {
  /** The port bound, never 0. */
  port: number;
  /**
   * Stops accepting connections, closes idle keep-alive ones, and resolves when in-flight
   * requests have finished. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
}

/**
 * Connections the kernel queues before the server accepts them: Node's default is 511, and in a
 * join storm on a busy loop the kernel drops SYNs past it, each costing its client a 1 s (then
 * 3 s, 7 s) retry. 4,096 is the kernel's default cap (`net.core.somaxconn`); the shards'
 * gateway/src/listen-sockets.ts has the measurement.
 */
export const LISTEN_BACKLOG = 4096;

/** Listens and resolves once the socket is bound; rejects if binding fails (e.g. EADDRINUSE). */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  // Hono's own clean-up gives an unread body 500 ms and then closes the socket: a reset for a
  // client still writing. discardRest replaces it.
  // The Node request and response ride along as Hono's `c.env` (node-server's `HttpBindings`):
  // the join route reads its small body from them without a fetch Request (body-limit.ts).
  const listener = getRequestListener((request, env) => options.app.fetch(request, env), {
    autoCleanupIncoming: false,
  });
  const server = createServer((req, res) => {
    res.once('finish', () => discardRest(req));
    void listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Node's http server keeps idle keep-alive sockets open past close() otherwise.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      return closing;
    },
  };
}
