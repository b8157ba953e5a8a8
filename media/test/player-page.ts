// A minimal player page for the browser tests: hls.js (the npm package's own build) in
// low-latency mode on a muted video, served from its own origin (so CORS is exercised). It
// records into `window.player`: when playback started, the first frame, and the latency to the
// live edge from program date-time. With `&helper=1` the SDK's LivePlayer (bundled by esbuild
// from the SDK's source) drives hls.js and steers toward the live edge target instead.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const HLS_JS = readFileSync(require.resolve('hls.js/dist/hls.min.js'));

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>player</title></head>
<body><video id="video" muted autoplay playsinline width="320" height="180"></video>
<script src="/hls.min.js"></script><script src="/live-player.js"></script>
<script src="/player.js"></script></body></html>`;

/** The SDK's LivePlayer for the page, as `window.FanfareLive.LivePlayer`. */
async function bundleLivePlayer(): Promise<string> {
  const out = await build({
    stdin: {
      contents: "export { LivePlayer } from '@fanfare/sdk';",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'FanfareLive',
    platform: 'browser',
    target: 'es2022',
  });
  return out.outputFiles[0]!.text;
}

/** Runs in the page. */
const PLAYER = `
const video = document.getElementById('video');
const params = new URLSearchParams(location.search);
const src = params.get('src');
const player = { started: performance.now(), playingAt: 0, firstFrameAt: 0, errors: [], levels: 0, level: -1, latencies: [], samples: [], stalls: 0, stallLog: [] };
window.player = player;
let helper;
// &trace=1: hls.js's own log (the first 400 lines, ms from the page script) in player.trace.
// Around each stall (the first 3): the 60 lines before it and the next 2 s, in player.stallTraces.
player.trace = [];
player.stallTraces = [];
const recent = [];
const traceLine = (...args) => {
  const t = performance.now() - player.started;
  const line = Math.round(t) + ' ' + args.map(String).join(' ').slice(0, 300);
  if (player.trace.length < 400) player.trace.push(line);
  recent.push(line);
  if (recent.length > 60) recent.shift();
  for (const st of player.stallTraces) if (t < st.until) st.lines.push(line);
  if (args[0] === 'STALL' && player.stallTraces.length < 3) player.stallTraces.push({ until: t + 2000, lines: [...recent] });
};
const debug = params.get('trace') ? { debug: { log: traceLine, info: traceLine, warn: traceLine, error: traceLine, debug: () => {}, trace: () => {} } } : {};
if (params.get('helper')) {
  const hlsConfig = { ...(params.get('hlsConfig') ? JSON.parse(params.get('hlsConfig')) : {}), ...debug };
  const quickStart = params.get('quickStart') !== '0';
  helper = new FanfareLive.LivePlayer({ Hls, media: video, url: src, hlsConfig, quickStart });
  window.helper = helper;
}
const hls = helper ? helper.hls : new Hls({ lowLatencyMode: true, backBufferLength: 10, ...debug });
window.hls = hls;
// A stall: waiting for data during playback (a seek's own wait is not one).
video.addEventListener('waiting', () => {
  if (!player.playingAt || video.seeking) return;
  player.stalls++;
  const ahead = video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : 0;
  const date = hls.playingDate;
  player.stallLog.push(Math.round(performance.now() - player.started) + ' ms: stall at ' + video.currentTime.toFixed(3) + ', ahead ' + ahead.toFixed(3) + ' s, delay ' + (date ? Date.now() - date.getTime() : '?') + ' ms, rate ' + video.playbackRate + ', level ' + hls.currentLevel);
  traceLine('STALL', player.stallLog.at(-1));
});
for (const name of ['seeking', 'seeked', 'playing']) video.addEventListener(name, () => { if (player.playingAt) traceLine('VIDEO', name, video.currentTime.toFixed(3)); });
hls.on(Hls.Events.ERROR, (_e, data) => player.errors.push(data.details + (data.fatal ? ' (fatal)' : '')));
hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => { player.levels = data.levels.length; player.levelNames = data.levels.map((l) => l.height + 'p'); });
player.levelSwitches = [];
hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => { player.level = data.level; player.levelSwitches.push([Date.now(), data.level]); });
video.addEventListener('playing', () => { if (!player.playingAt) player.playingAt = performance.now(); });
// Start-up timeline: the first of each step, ms since the page's script started.
player.timeline = {};
const mark = (name) => { if (player.timeline[name] === undefined) player.timeline[name] = Math.round(performance.now() - player.started); };
for (const [event, name] of [['MANIFEST_LOADED', 'master loaded'], ['LEVEL_LOADED', 'media playlist loaded'], ['FRAG_LOADING', 'first fragment asked'], ['FRAG_LOADED', 'first fragment loaded'], ['BUFFER_APPENDED', 'first append'], ['FRAG_BUFFERED', 'first fragment buffered']]) {
  hls.on(Hls.Events[event], (_e, data) => {
    mark(name);
    if (event === 'FRAG_LOADING' && player.firstFrag === undefined) player.firstFrag = (data.part ? 'part ' + data.part.index + ' of ' : 'segment ') + data.frag.sn + ' level ' + data.frag.level;
  });
}
video.addEventListener('loadeddata', () => mark('loadeddata'));
video.addEventListener('playing', () => mark('playing'));
player.resources = () => performance.getEntriesByType('resource').slice(0, 12).map((e) => [e.name.split('/').slice(-2).join('/').split('?')[0] + (e.name.includes('_HLS') ? '?' + e.name.split('?')[1] : ''), Math.round(e.startTime - player.started), Math.round(e.responseEnd - player.started)]);
video.requestVideoFrameCallback(() => { player.firstFrameAt = performance.now(); mark('first frame'); });
setInterval(() => {
  const date = hls.playingDate;
  if (date && !video.paused) {
    const now = Date.now();
    player.latencies.push(now - date.getTime());
    player.samples.push([now, now - date.getTime(), video.playbackRate]);
  }
  player.target = helper ? helper.targetMs : undefined;
  player.seeks = helper ? helper.seeks : 0;
  player.hlsLatency = hls.latency;
  player.targetLatency = hls.targetLatency;
  player.buffered = video.buffered.length ? video.buffered.end(video.buffered.length - 1) - video.currentTime : 0;
}, 100);
if (!helper) {
  hls.loadSource(src);
  hls.attachMedia(video);
}
`;

export interface PlayerPage {
  /** The page URL that plays `masterUrl`. */
  url(
    masterUrl: string,
    options?: {
      helper?: boolean;
      hlsConfig?: Record<string, unknown>;
      trace?: boolean;
      /** false: the LivePlayer leaves the start to hls.js. */
      quickStart?: boolean;
    },
  ): string;
  close(): Promise<void>;
}

export async function servePlayerPage(): Promise<PlayerPage> {
  const livePlayer = await bundleLivePlayer();
  const server: Server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    const [type, body] =
      path === '/'
        ? ['text/html', PAGE]
        : path === '/player.js'
          ? ['text/javascript', PLAYER]
          : path === '/hls.min.js'
            ? ['text/javascript', HLS_JS]
            : path === '/live-player.js'
              ? ['text/javascript', livePlayer]
              : ['text/plain', ''];
    res.writeHead(body === '' ? 404 : 200, { 'content-type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (masterUrl, options = {}) =>
      `http://127.0.0.1:${port}/?src=${encodeURIComponent(masterUrl)}${options.helper ? '&helper=1' : ''}${options.trace ? '&trace=1' : ''}` +
      (options.quickStart === false ? '&quickStart=0' : '') +
      (options.hlsConfig
        ? `&hlsConfig=${encodeURIComponent(JSON.stringify(options.hlsConfig))}`
        : ''),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
