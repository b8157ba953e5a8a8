// A real nginx (Debian's) as a caching CDN edge in front of the origin, for tests: its own
// config, temp and cache directories under a fresh temp dir, a free port, no daemon. The config
// is the one docs/media.md recommends: the cache key leaves out the token path segment (every
// viewer shares one cached copy), keeps the query (blocking requests are keyed by their
// `_HLS_` directives), honours the origin's Cache-Control, and collapses concurrent misses with
// proxy_cache_lock.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@fanfare/testkit';
import { NodeHttpExchange } from '../src/http-exchange-node.js';
import type { Origin } from '../src/origin.js';

export const NGINX_PATH = '/usr/sbin/nginx';

/**
 * The time between two reads of nginx's status page while waiting on nginx, ms: back-to-back
 * reads would take CPU from nginx's single worker, which has to do what is awaited.
 */
const POLL_MS = 10;

/**
 * How long nginx may take to answer its status page after its start, ms: a limit for a hang
 * (docs/testing.md gives spawned servers 60-90 s on a loaded machine), not a speed check.
 */
const START_LIMIT_MS = 60_000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** For tests: true when nginx is installed; throws under CI=true when it is not. */
export function nginxAvailable(): boolean {
  if (existsSync(NGINX_PATH)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${NGINX_PATH} is missing: run deploy/local/services.sh to install it`);
  }
  return false;
}

export function edgeConfig(dir: string, port: number, originPort: number): string {
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=hls:10m max_size=256m inactive=2m use_temp_path=off;
  proxy_cache_path ${dir}/auth levels=1:2 keys_zone=auth:10m max_size=16m inactive=1m use_temp_path=off;
  map $request_uri $playback_token { ~^/live/[^/]+/([^/]+)/ $1; default ""; }
  upstream origin {
    server 127.0.0.1:${originPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location = /nginx-status { stub_status; }
    # Every request's token is checked by the origin's /auth, once per token per 10 s (cached);
    # docs/media.md shows the njs check that needs no origin round trip at all.
    location = /_auth {
      internal;
      proxy_pass http://origin/auth$request_uri;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache auth;
      proxy_cache_key "$playback_token";
      proxy_cache_lock on;
    }
    location ~ ^/live/([^/]+)/[^/]+/(.+)$ {
      auth_request /_auth;
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache hls;
      # The token segment is left out of the key: one copy for every viewer.
      proxy_cache_key "$1/$2?$args";
      proxy_cache_lock on;
      # Longer than the origin's blocking bound (3 target durations).
      proxy_cache_lock_timeout 10s;
      proxy_cache_lock_age 10s;
      proxy_read_timeout 15s;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
}

export class NginxEdge {
  readonly port: number;
  readonly #dir: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(port: number, dir: string, child: ChildProcess) {
    this.port = port;
    this.#dir = dir;
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(originPort: number): Promise<NginxEdge> {
    const dir = mkdtempSync(join(tmpdir(), 'fanfare-edge-'));
    const port = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, edgeConfig(dir, port, originPort));
    const child = spawn(NGINX_PATH, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const edge = new NginxEdge(port, dir, child);
    // nginx prints nothing when it starts well: ready once the status page answers.
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`nginx exited: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      }
      const ok = await fetch(`http://127.0.0.1:${port}/nginx-status`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return edge;
      if (Date.now() - started > START_LIMIT_MS) {
        throw new Error(`nginx did not start within ${START_LIMIT_MS / 1000} s`);
      }
      // Each attempt is a refused connect until nginx listens: wait a little and try again.
      await pause(POLL_MS);
    }
  }

  /** Resolves once nginx is writing responses to `n` requests besides this status request. */
  async writingTo(n: number): Promise<void> {
    while ((await this.writing()) < n + 1) await pause(POLL_MS);
  }

  /** Requests nginx is writing a response to right now (stub_status "Writing"), ours included. */
  async writing(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/nginx-status`)).text();
    return Number(/Writing: (\d+)/.exec(text)?.[1] ?? NaN);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) this.#child.kill('SIGQUIT');
    await this.#exited;
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

export interface EdgeOverOrigin {
  readonly edge: NginxEdge;
  /** Stops nginx, closes the origin, then its HTTP server. */
  close(): Promise<void>;
}

/**
 * `origin` served by node:http on a free port with an nginx edge in front. `onRequest` sees the
 * path of each request that reaches the origin, its token segment cut out (`/live/<event>/...`),
 * before the origin answers it.
 */
export async function edgeOverOrigin(
  origin: Origin,
  onRequest: (path: string) => void,
): Promise<EdgeOverOrigin> {
  const server = createServer((req, res) => {
    onRequest((req.url ?? '').replace(/^\/live\/([^/]+)\/[^/]+\//, '/live/$1/'));
    origin.serve(new NodeHttpExchange(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const edge = await NginxEdge.start((server.address() as AddressInfo).port);
  return {
    edge,
    async close() {
      await edge.stop();
      origin.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
