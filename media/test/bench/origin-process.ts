// The origin under load in `pnpm bench:origin`, its own process so that its CPU time is its own
// (the bench pins it to one core): the media service publishing the demo pattern, telling the
// bench over IPC when each part of the measured rendition became available. With a static
// directory it also mirrors that rendition as files (parts and the full playlist, each written
// then renamed into place) for nginx to serve to polling clients, the peer it is compared with:
// only once the bench says so (`mirror`), so the origin phase's CPU holds no mirroring.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMediaConfig } from '../../src/config.js';
import { MediaService } from '../../src/media-service.js';
import { OriginServer, type OriginTransport } from '../../src/origin-server.js';
import { renderMediaPlaylist } from '../../src/playlist-render.js';

export type OriginMessage =
  | { kind: 'ready'; ports: Record<OriginTransport, number>; rendition: string }
  | { kind: 'part'; seq: number; at: number }
  | { kind: 'cpu'; usage: NodeJS.CpuUsage };

const EVENT = 'bench';
const staticDir = process.argv[2];
const send = (m: OriginMessage): void => void process.send?.(m);

const config = loadMediaConfig({
  ...process.env,
  MEDIA_PORT: '0',
  MEDIA_RTMP_PORT: '0',
  MEDIA_SRT_PORT: '0',
  MEDIA_DEMO_EVENT: EVENT,
});
const service = new MediaService(config, { log: () => undefined });
await service.start();
// The same origin behind the other plain-HTTP transport too, so one run measures both.
const other = new OriginServer(service.origin, {
  host: config.host,
  port: 0,
  transport: service.server.transport === 'uws' ? 'node' : 'uws',
});
await other.start();
const name = config.ladder.at(-1)!.name;
const rendition = service.stream(EVENT)!.rendition(name)!;
const dir = staticDir ? join(staticDir, name) : undefined;
if (dir) mkdirSync(dir, { recursive: true });
let mirroring = false;
const put = (file: string, bytes: Buffer | string): void => {
  writeFileSync(join(dir!, `.${file}`), bytes);
  renameSync(join(dir!, `.${file}`), join(dir!, file));
};
let last = -1;
const inits = new Set<string>();
// Registered before any request can hold: the time is taken before held requests are answered.
rendition.onChange(() => {
  const part = rendition.window().segments.at(-1)?.parts.at(-1);
  if (!part || part.seq <= last) return;
  last = part.seq;
  const at = Date.now();
  if (dir && mirroring) {
    const window = rendition.window();
    for (const s of window.segments) {
      if (s.initUri && !inits.has(s.initUri)) {
        inits.add(s.initUri);
        put(s.initUri, rendition.init(s.initUri)!);
      }
    }
    put(rendition.uris.part(part.seq), rendition.part(part.seq)!);
    put('index.m3u8', renderMediaPlaylist(window, rendition.uris, { reports: [] }));
  }
  send({ kind: 'part', seq: part.seq, at });
});
process.on('message', (m: { kind: string }) => {
  if (m.kind === 'mirror') mirroring = true;
  if (m.kind === 'cpu') send({ kind: 'cpu', usage: process.cpuUsage() });
  if (m.kind === 'stop') void stop();
});
const stop = async (): Promise<never> => {
  await other.close();
  await service.close();
  process.exit(0);
};
process.on('disconnect', () => void stop());
send({
  kind: 'ready',
  ports: {
    [service.server.transport]: service.server.port,
    [other.transport]: other.port,
  } as Record<OriginTransport, number>,
  rendition: name,
});
