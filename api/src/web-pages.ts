// The fan page and the producer console, served as static files built by @fanfare/web (Vite):
// read into memory once at start (a few hundred KB), so a request is a map lookup, no path from
// a URL ever reaches the file system, and a missing file cannot be probed. One HTML document
// serves every page route; the app routes on the path in the browser.
// Served under a strict CSP: scripts and styles only from this origin (no inline script).

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { Hono } from 'hono';

/** Paths that answer with the pages' HTML: the fan page (`/`, `/e/<event>`) and the console. */
export const PAGE_ROUTES = ['/', '/console', '/e/:eventId'] as const;

/** How long browsers may keep a hashed asset, seconds (its name changes with its content). */
export const ASSET_MAX_AGE_S = 31_536_000;

/**
 * The pages' Content-Security-Policy: scripts, styles, fonts and images from this origin only;
 * fetches to this origin (the API) and WebSockets anywhere (the gateway's public URL is
 * configuration); media and hls.js's worker from blob: URLs (MSE). `extraConnect` adds origins
 * the pages fetch and play media from: the media origin serving LL-HLS.
 */
export function pagesCsp(extraConnect: readonly string[] = []): string {
  const extra = extraConnect.map((o) => ` ${o}`).join('');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws: wss:${extra}`,
    `media-src 'self' blob:${extra}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The origins the pages reach a LiveKit server at: its signalling WebSocket and its HTTP origin
 * (livekit-client fetches `/rtc/validate` there to say why a connection failed), for
 * `extraConnect`. WebRTC's own traffic (ICE, media) is not governed by CSP.
 */
export function livekitConnectOrigins(url: string): string[] {
  const http = new URL(url.replace(/^ws/, 'http')).origin;
  return [http, http.replace(/^http/, 'ws')];
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface PageFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** The built pages, in memory: `index.html` and the files under `assets/`. */
export class WebPages {
  readonly #files: ReadonlyMap<string, PageFile>;
  readonly csp: string;

  private constructor(files: ReadonlyMap<string, PageFile>, csp: string) {
    this.#files = files;
    this.csp = csp;
  }

  /**
   * Reads a folder of built pages (web/dist/pages). Throws when it has no `index.html`. Files
   * whose type is not listed above, and dot-files, are not served.
   */
  static load(dir: string, options: { extraConnect?: readonly string[] } = {}): WebPages {
    const files = new Map<string, PageFile>();
    const walk = (at: string): void => {
      for (const name of readdirSync(at)) {
        if (name.startsWith('.')) continue;
        const path = join(at, name);
        if (statSync(path).isDirectory()) {
          walk(path);
          continue;
        }
        const type = CONTENT_TYPES[extname(name)];
        if (type === undefined) continue;
        const bytes = readFileSync(path);
        const body = new Uint8Array(new ArrayBuffer(bytes.byteLength));
        body.set(bytes);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        files.set(`/${relative(dir, path).split(sep).join('/')}`, { body, type, etag });
      }
    };
    walk(dir);
    if (!files.has('/index.html'))
      throw new Error(`no index.html in ${dir}: build the pages first`);
    return new WebPages(files, pagesCsp(options.extraConnect));
  }

  /** The file at a URL path, e.g. `/assets/index-abc.js`. */
  file(path: string): PageFile | undefined {
    return this.#files.get(path);
  }

  /** The routes: the HTML at every page route, hashed assets cached for a year. */
  routes(): Hono {
    const app = new Hono();
    const index = this.#files.get('/index.html')!;
    const headers = (file: PageFile, cache: string): Record<string, string> => ({
      'Content-Type': file.type,
      ETag: file.etag,
      'Cache-Control': cache,
      'Content-Security-Policy': this.csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    const send = (ifNoneMatch: string | undefined, file: PageFile, cache: string): Response =>
      ifNoneMatch === file.etag
        ? new Response(null, { status: 304, headers: headers(file, cache) })
        : new Response(file.body, { status: 200, headers: headers(file, cache) });
    for (const route of PAGE_ROUTES) {
      // The HTML is revalidated every time, so a new build's asset names are seen at once.
      app.get(route, (c) => send(c.req.header('if-none-match'), index, 'no-cache'));
    }
    app.get('/assets/*', (c) => {
      const file = this.#files.get(c.req.path);
      if (file === undefined) return c.notFound();
      return send(
        c.req.header('if-none-match'),
        file,
        `public, max-age=${ASSET_MAX_AGE_S}, immutable`,
      );
    });
    return app;
  }
}
