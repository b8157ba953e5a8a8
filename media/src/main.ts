// The media process: LL-HLS packager and origin, with its ffmpeg ingests as child processes.
// Started alone (`pnpm --filter @fanfare/media start`) or as a child of the embedded engine
// (`pnpm start`), which talks to it over HTTP and reads the `origin on <url>` line below.

import { ConfigError, loadMediaConfig } from './config.js';
import { MediaService } from './media-service.js';

let config;
try {
  config = loadMediaConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const service = new MediaService(config);
service.metrics.withProcessMetrics();
await service.start();
console.log(
  `media: origin on ${service.server.scheme}://${config.host}:${service.server.port}` +
    (config.tls ? ' (HTTP/2 over TLS)' : ''),
);
console.log(
  `media: ingest for every event on rtmp://${config.host}:${service.rtmpGate.port}/live/<key>` +
    ` and srt://${config.host}:${service.srtGate.port}?streamid=<key>`,
);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`media: ${signal}, closing`);
  service.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('media: close failed', err);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
// Started with an IPC channel (by the engine): when the parent goes, even killed, so do we (and
// our ffmpeg children with us), so a crashed engine leaves no orphans.
if (process.connected) process.on('disconnect', () => stop('parent gone'));
process.on('SIGINT', () => stop('SIGINT'));
