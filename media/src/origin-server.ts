// The origin's listener: HTTP/1.1 with keep-alive, or HTTP/2 over TLS (with HTTP/1.1 for clients
// that do not negotiate h2) when a certificate is configured. `/healthz` answers while the process
// runs; `/readyz` only while it is ready to serve (failed first on shutdown); `/metrics` the
// process's Prometheus series (metrics.ts), where every origin request is also counted.

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Origin } from './origin.js';
import { originRequestKind, type MediaMetrics } from './metrics.js';

/** Idle keep-alive connections stay open this long: longer than any blocking request. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface OriginServerOptions {
  readonly host: string;
  readonly port: number;
  /** PEM certificate and key: serve HTTP/2 over TLS (and HTTP/1.1 over TLS via ALPN). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Handles `/control/...` (the API's calls: stream keys and status), if given. */
  readonly control?: (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ) => void;
  /** Serves `GET /metrics` and counts the origin's requests, if given. */
  readonly metrics?: MediaMetrics;
}

export class OriginServer {
  readonly #origin: Origin;
  readonly #options: OriginServerOptions;
  #server: HttpServer | Http2SecureServer | undefined;
  #ready = false;
  #closing: Promise<void> | undefined;
  readonly #sessions = new Set<ServerHttp2Session>();

  constructor(origin: Origin, options: OriginServerOptions) {
    this.#origin = origin;
    this.#options = options;
  }

  /** The bound port (after start). */
  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** `http` or `https`, for building URLs. */
  get scheme(): string {
    return this.#options.tls ? 'https' : 'http';
  }

  async start(): Promise<void> {
    const handler = (
      req: IncomingMessage | Http2ServerRequest,
      res: ServerResponse | Http2ServerResponse,
    ): void => {
      const path = req.url?.split('?')[0];
      if (path === '/healthz' || path === '/readyz') {
        const ok = path === '/healthz' || this.#ready;
        res.writeHead(ok ? 200 : 503, {
          'content-type': 'text/plain',
          'cache-control': 'no-store',
        });
        res.end(ok ? 'ok\n' : 'not ready\n');
        return;
      }
      if (this.#options.control && path?.startsWith('/control/')) {
        this.#options.control(req, res);
        return;
      }
      const metrics = this.#options.metrics;
      if (metrics && path === '/metrics') return serveMetrics(metrics, res);
      this.#origin.handle(req, res);
      if (metrics) countRequest(metrics, req.url ?? '/', res);
    };
    const tls = this.#options.tls;
    let server: HttpServer | Http2SecureServer;
    if (tls) {
      const secure = createSecureServer(
        { cert: tls.cert, key: tls.key, allowHTTP1: true },
        handler,
      );
      secure.on('session', (session: ServerHttp2Session) => {
        this.#sessions.add(session);
        session.once('close', () => this.#sessions.delete(session));
      });
      server = secure;
    } else {
      const plain = createHttpServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, handler);
      // headersTimeout must exceed keepAliveTimeout (node:http's own rule).
      plain.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
      server = plain;
    }
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#ready = true;
  }

  /** Fails readiness, answers held requests, stops listening and ends idle connections. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#ready = false;
      this.#origin.close();
      const server = this.#server;
      if (!server) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
        for (const session of this.#sessions) session.destroy();
      });
    })();
    return this.#closing;
  }
}

type AnyResponse = ServerResponse | Http2ServerResponse;

/**
 * Counts an origin request once answered: at once when the origin answered it synchronously
 * (most), else when it closes (a held request; `0`, shown as `aborted`, if the client left first).
 */
function countRequest(metrics: MediaMetrics, url: string, res: AnyResponse): void {
  const kind = originRequestKind(url);
  if (res.writableEnded) return metrics.request(kind, res.statusCode);
  (res as ServerResponse).once('close', () =>
    metrics.request(kind, res.writableFinished ? res.statusCode : 0),
  );
}

function serveMetrics(metrics: MediaMetrics, res: AnyResponse): void {
  metrics.metrics().then(
    (text) => {
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      res.end(text);
    },
    () => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('metrics failed\n');
    },
  );
}
