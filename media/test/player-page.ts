// A minimal player page for the browser tests: hls.js (the npm package's own build) in
// low-latency mode on a muted video, served from its own origin (so CORS is exercised). It
// records into `window.player`: when playback started, the first frame, and the latency to the
// live edge from program date-time.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
const HLS_JS = readFileSync(require.resolve('hls.js/dist/hls.min.js'));

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>player</title></head>
<body><video id="video" muted autoplay playsinline width="320" height="180"></video>
<script src="/hls.min.js"></script><script src="/player.js"></script></body></html>`;

/** Runs in the page. */
const PLAYER = `
const video = document.getElementById('video');
const src = new URLSearchParams(location.search).get('src');
const player = { started: performance.now(), playingAt: 0, firstFrameAt: 0, errors: [], levels: 0, level: -1, latencies: [] };
window.player = player;
const hls = new Hls({ lowLatencyMode: true, backBufferLength: 10 });
window.hls = hls;
hls.on(Hls.Events.ERROR, (_e, data) => player.errors.push(data.details + (data.fatal ? ' (fatal)' : '')));
hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => { player.levels = data.levels.length; });
hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => { player.level = data.level; });
video.addEventListener('playing', () => { if (!player.playingAt) player.playingAt = performance.now(); });
video.requestVideoFrameCallback(() => { player.firstFrameAt = performance.now(); });
setInterval(() => {
  const date = hls.playingDate;
  if (date && !video.paused) player.latencies.push(Date.now() - date.getTime());
  player.hlsLatency = hls.latency;
  player.targetLatency = hls.targetLatency;
  player.buffered = video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : 0;
}, 100);
hls.loadSource(src);
hls.attachMedia(video);
`;

export interface PlayerPage {
  /** The page URL that plays `masterUrl`. */
  url(masterUrl: string): string;
  close(): Promise<void>;
}

export async function servePlayerPage(): Promise<PlayerPage> {
  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    const [type, body] =
      path === '/'
        ? ['text/html', PAGE]
        : path === '/player.js'
          ? ['text/javascript', PLAYER]
          : path === '/hls.min.js'
            ? ['text/javascript', HLS_JS]
            : ['text/plain', ''];
    res.writeHead(body === '' ? 404 : 200, { 'content-type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (masterUrl) => `http://127.0.0.1:${port}/?src=${encodeURIComponent(masterUrl)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
