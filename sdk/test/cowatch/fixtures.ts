// What the co-watch browser check serves: a test video rendered by ffmpeg, a browser bundle of
// the SDK (with cowatch) built by esbuild, and a tiny static HTTP server on a free port that
// answers byte ranges, which a media element needs to seek.

import { execFile } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

/** Length of the test video, seconds. */
export const VIDEO_SECONDS = 30;

/** Whether ffmpeg can run here; throws under CI=true when it cannot (CI installs it). */
export async function ffmpegAvailable(): Promise<boolean> {
  try {
    await run('ffmpeg', ['-version']);
    return true;
  } catch {
    if (process.env.CI === 'true') {
      throw new Error('ffmpeg is missing: run deploy/local/services.sh to install it');
    }
    return false;
  }
}

/**
 * Renders ffmpeg's test pattern (a frame counter and a moving bar) as VP9 in WebM, which
 * Debian's Chromium plays; a key frame every second keeps seeks short.
 */
export async function renderVideo(dir: string): Promise<string> {
  const file = join(dir, 'testsrc.webm');
  // prettier-ignore
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=duration=${VIDEO_SECONDS}:size=320x240:rate=30`,
    '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1',
    '-g', '30', '-b:v', '300k', '-pix_fmt', 'yuv420p',
    file,
  ]);
  return file;
}

/** Bundles page.ts with the SDK for the browser, and writes the page that loads it. */
export async function bundlePage(dir: string): Promise<void> {
  await build({
    entryPoints: [join(HERE, 'page.ts')],
    outfile: join(dir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  await writeFile(join(dir, 'index.html'), PAGE_HTML);
}

const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>co-watch check</title>
<link rel="icon" href="data:,">
<video id="video" muted playsinline preload="auto" width="320" height="240"></video>
<script type="module" src="/page.js"></script>
`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.webm': 'video/webm',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves the files of `dir` on 127.0.0.1 and a free port, with `Range` support. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    const file = join(dir, name);
    if (name.includes('..') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const size = statSync(file).size;
    const headers = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { ...headers, 'content-length': size });
      createReadStream(file).pipe(res);
      return;
    }
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, {
      ...headers,
      'content-length': end - start + 1,
      'content-range': `bytes ${start}-${end}/${size}`,
    });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.closeAllConnections();
        server.close((err) => (err ? fail(err) : ok()));
      }),
  };
}
