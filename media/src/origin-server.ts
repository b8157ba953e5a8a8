// The origin's listener, the one place that picks a transport for the handlers (origin.ts,
// control-routes.ts) and wires it:
//   - plain HTTP/1.1 with keep-alive from uWebSockets.js (`uws`, the default: its C++ HTTP costs a
//     fraction of node:http's per request, and the origin answers ten small requests a second per
//     viewer), or from node:http (`node`);
//   - HTTP/2 over TLS from node:http2 (with HTTP/1.1 for clients that do not negotiate h2) when a
//     certificate is configured, whatever the transport setting.
// `/healthz` answers while the process runs; `/readyz` only while it is ready to serve (failed
// first on shutdown); `/metrics` the process's Prometheus series (metrics.ts), where every origin
// request is also counted.

import { createRequire } from 'node:module';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type * as Uws from 'uWebSockets.js';
import { CONTROL_HEADERS } from './control-routes.js';
import type { HttpExchange } from './http-exchange.js';
import { NodeHttpExchange, type NodeRequest, type NodeResponse } from './http-exchange-node.js';
import { UwsHttpExchange } from './http-exchange-uws.js';
import { originRequestKind, type MediaMetrics } from './metrics.js';
import type { Origin } from './origin.js';

/** Idle keep-alive connections stay open this long on node:http: longer than any blocking
 *  request. (uWS closes an idle HTTP connection after its fixed 10 s, also longer than any.) */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Which HTTP/1.1 server serves plain HTTP (TLS is always node:http2). */
export type OriginTransport = 'uws' | 'node';

export interface OriginServerOptions {
  readonly host: string;
  readonly port: number;
  /** Plain HTTP's server; `uws` unless said otherwise. */
  readonly transport?: OriginTransport;
  /** PEM certificate and key: serve HTTP/2 over TLS (and HTTP/1.1 over TLS via ALPN). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Handles `/control/...` (the API's calls: stream keys and status), if given. */
  readonly control?: (ex: HttpExchange) => void;
  /** Serves `GET /metrics` and counts the origin's requests, if given. */
  readonly metrics?: MediaMetrics;
}

export class UwsFallbackError extends Error {
  override name = 'UwsFallbackError';
  constructor() {
    super('uWebSockets.js did not load its native binary; refusing to run on its JS fallback');
  }
}

const require = createRequire(import.meta.url);

/** The native uWS module; its package silently swaps in a slow JS fallback, which we refuse. */
function loadNativeUws(): typeof Uws {
  const warn = console.warn;
  console.warn = () => undefined; // the package's own fallback warning: we throw instead
  try {
    const uws = require('uWebSockets.js') as typeof Uws;
    if (!Function.prototype.toString.call(uws.App).includes('[native code]')) {
      throw new UwsFallbackError();
    }
    return uws;
  } finally {
    console.warn = warn;
  }
}

const NO_HEADERS: readonly string[] = [];

interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

export class OriginServer {
  readonly #origin: Origin;
  readonly #options: OriginServerOptions;
  #listener: Listener | undefined;
  #ready = false;
  #closing: Promise<void> | undefined;

  constructor(origin: Origin, options: OriginServerOptions) {
    this.#origin = origin;
    this.#options = options;
  }

  /** The bound port (after start). */
  get port(): number {
    return this.#listener?.port ?? 0;
  }

  /** `http` or `https`, for building URLs. */
  get scheme(): string {
    return this.#options.tls ? 'https' : 'http';
  }

  /** The server that answers plain requests (TLS: `node`). */
  get transport(): OriginTransport {
    return this.#options.tls ? 'node' : (this.#options.transport ?? 'uws');
  }

  async start(): Promise<void> {
    const { tls } = this.#options;
    if (tls) this.#listener = await this.#listenNode(tls);
    else if (this.transport === 'uws') this.#listener = this.#listenUws();
    else this.#listener = await this.#listenNode(undefined);
    this.#ready = true;
  }

  /** Fails readiness, answers held requests, stops listening and ends idle connections. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#ready = false;
      this.#origin.close();
      await this.#listener?.close();
    })();
    return this.#closing;
  }

  /** Every transport's requests go through here. */
  readonly #route = (ex: HttpExchange): void => {
    const path = ex.path;
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' || this.#ready;
      ex.reply(
        ok ? 200 : 503,
        { 'content-type': 'text/plain', 'cache-control': 'no-store' },
        ok ? 'ok\n' : 'not ready\n',
      );
      return;
    }
    if (this.#options.control && path.startsWith('/control/')) {
      this.#options.control(ex);
      return;
    }
    const metrics = this.#options.metrics;
    if (metrics && path === '/metrics') return serveMetrics(metrics, ex);
    this.#origin.serve(ex);
    if (metrics) countRequest(metrics, ex);
  };

  #listenUws(): Listener {
    const uws = loadNativeUws();
    const app = uws.App();
    const control = this.#options.control !== undefined;
    app.any('/*', (res, req) => {
      // Headers are kept only for the control routes (the origin reads none).
      const keep = control && req.getUrl().startsWith('/control/') ? CONTROL_HEADERS : NO_HEADERS;
      this.#route(new UwsHttpExchange(res, req, keep));
    });
    let socket: Uws.us_listen_socket | false = false;
    app.listen(this.#options.host, this.#options.port, (s) => {
      socket = s;
    });
    if (!socket) {
      throw new Error(`uWS could not listen on ${this.#options.host}:${this.#options.port}`);
    }
    const listen = socket;
    return {
      port: uws.us_socket_local_port(listen as unknown as Uws.us_socket),
      close: () => {
        // Stops accepting; held requests were answered by origin.close(), idle keep-alive
        // connections end at uWS's idle timeout (this uWS has no App.close()).
        uws.us_listen_socket_close(listen);
        return Promise.resolve();
      },
    };
  }

  async #listenNode(tls: OriginServerOptions['tls']): Promise<Listener> {
    const handler = (req: NodeRequest, res: NodeResponse): void =>
      this.#route(new NodeHttpExchange(req, res));
    const sessions = new Set<ServerHttp2Session>();
    let server: HttpServer | Http2SecureServer;
    if (tls) {
      const secure = createSecureServer(
        { cert: tls.cert, key: tls.key, allowHTTP1: true },
        handler,
      );
      secure.on('session', (session: ServerHttp2Session) => {
        sessions.add(session);
        session.once('close', () => sessions.delete(session));
      });
      server = secure;
    } else {
      const plain = createHttpServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, handler);
      // headersTimeout must exceed keepAliveTimeout (node:http's own rule).
      plain.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
      server = plain;
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          if ('closeAllConnections' in server) server.closeAllConnections();
          for (const session of sessions) session.destroy();
        }),
    };
  }
}

/**
 * Counts an origin request once answered: at once when the origin answered it synchronously
 * (most), else when it ends (a held request; `0`, shown as `aborted`, if the client left first).
 */
function countRequest(metrics: MediaMetrics, ex: HttpExchange): void {
  const kind = originRequestKind(ex.query === '' ? ex.path : `${ex.path}?${ex.query}`);
  if (ex.status !== 0) return metrics.request(kind, ex.status);
  ex.onSettled((status) => metrics.request(kind, status));
}

function serveMetrics(metrics: MediaMetrics, ex: HttpExchange): void {
  metrics.metrics().then(
    (text) =>
      ex.reply(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }, text),
    () => ex.reply(500, { 'content-type': 'text/plain' }, 'metrics failed\n'),
  );
}
