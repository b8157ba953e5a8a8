// Listening on a real socket, shared by the standalone main.ts and the embedded launcher. Port 0
// is allowed and the port actually bound is reported, so tests never pick ports themselves.

import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';

export interface StartApiOptions {
  /** Anything with a fetch handler; a Hono app from createApp in practice. */
  app: { fetch: (request: Request) => Response | Promise<Response> };
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

/** Listens and resolves once the socket is bound; rejects if binding fails (e.g. EADDRINUSE). */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const server = createAdaptorServer({ fetch: (request) => options.app.fetch(request) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
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
