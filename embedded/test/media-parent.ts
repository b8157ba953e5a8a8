// A stand-in engine for media-child.test.ts: starts the media child (with a one-rung demo
// stream), prints `media <pid>`, and waits to be killed.

import { MediaChild } from '../src/media-child.js';

const { child } = await MediaChild.start({
  env: {
    ...process.env,
    MEDIA_TOKEN_SECRET: 'media-parent-secret-0123456789abcdef',
    MEDIA_PORT: '0',
    MEDIA_RTMP_PORT: '0',
    MEDIA_SRT_PORT: '0',
    MEDIA_LADDER: '90p:160x90:80k',
    MEDIA_FRAME_RATE: '15',
    MEDIA_PRESET: 'ultrafast',
  },
  log: () => undefined,
});
process.stdout.write(`media ${child.pid}\n`);
setInterval(() => undefined, 60_000);
