// The media process: LL-HLS packager and origin, with its ffmpeg ingests as child processes.
// Started alone (`pnpm --filter @fanfare/media start`) or, later, as a child of the engine.

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
await service.start();
console.log(
  `media: origin on ${service.server.scheme}://${config.host}:${service.server.port}` +
    (config.tls ? ' (HTTP/2 over TLS)' : ''),
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
process.on('SIGINT', () => stop('SIGINT'));
