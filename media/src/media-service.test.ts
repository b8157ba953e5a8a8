// The media process without ffmpeg: it starts, serves, and says why there is no video.

import { expect, it } from 'vitest';
import { loadMediaConfig } from './config.js';
import { MediaService } from './media-service.js';

it('starts without the demo stream when ffmpeg is missing, and says so', async () => {
  const lines: string[] = [];
  const config = loadMediaConfig({
    MEDIA_TOKEN_SECRET: 'no-ffmpeg-secret-0123456789abcdefgh',
    MEDIA_PORT: '0',
    MEDIA_RTMP_PORT: '0',
    MEDIA_SRT_PORT: '0',
    FFMPEG_PATH: '/nonexistent/ffmpeg',
  });
  const service = new MediaService(config, { log: (line) => lines.push(line) });
  await service.start();
  try {
    expect(lines).toEqual([
      '/nonexistent/ffmpeg is missing: no demo stream (install ffmpeg for video)',
    ]);
    expect(service.streamInfo('demo')).toBeUndefined();
    const health = await fetch(`http://127.0.0.1:${service.server.port}/readyz`);
    expect(health.status).toBe(200);
  } finally {
    await service.close();
  }
});
