// What the media tests and benchmarks share: a media service started on free ports with a known
// token secret, playback URLs signed with that secret, and waits on a rendition's window that
// listen to its change events (never sleeps) and fail with a message after a bound.

import { loadMediaConfig } from '../src/config.js';
import { MediaService } from '../src/media-service.js';
import { mintPlaybackToken } from '../src/playback-token.js';
import type { RenditionWindow } from '../src/playlist.js';
import type { Rendition } from '../src/rendition.js';

/** Variables for a test's service: the fastest preset and no demo event unless the test asks. */
export const TEST_MEDIA_ENV = { MEDIA_PRESET: 'ultrafast', MEDIA_DEMO_EVENT: '' } as const;
/** The token secret of the benchmarks' media service (loopback only, never deployed). */
export const BENCH_SECRET = 'bench-media-secret-0123456789abcdefgh';
/** The wait for a benchmark's first segments: a loaded machine starts ffmpeg slowly. */
export const FIRST_SEGMENTS_WAIT_MS = 60_000;
/** The two-rung ladder most tests use. */
export const TWO_RUNGS = '180p:320x180:300k,90p:160x90:100k';
/** How long a wait on a rendition's window lasts by default. */
export const WINDOW_WAIT_MS = 20_000;
/** The wait for an encoder's first parts: slow on a loaded machine; tests' timeouts bound it. */
export const ENCODER_WAIT_MS = 60_000;

export interface StartedMedia {
  readonly service: MediaService;
  /** The master playlist URL of `eventId` with a playback token that expires in `ttlS` seconds. */
  masterUrl(eventId: string, viewerId: string, ttlS?: number): string;
}

/**
 * Starts a media service with `env` (MEDIA_* variables), its origin, RTMP and SRT ports free ones
 * and its token secret `secret` whatever `env` says. Close the service when done.
 */
export async function startMedia(
  secret: string,
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void = () => undefined,
): Promise<StartedMedia> {
  const config = loadMediaConfig({
    ...env,
    MEDIA_PORT: '0',
    MEDIA_RTMP_PORT: '0',
    MEDIA_SRT_PORT: '0',
    MEDIA_TOKEN_SECRET: secret,
  });
  const service = new MediaService(config, { log });
  await service.start();
  const key = Buffer.from(secret);
  return {
    service,
    masterUrl: (eventId, viewerId, ttlS = 600) =>
      service.masterUrl(
        eventId,
        mintPlaybackToken(key, { eventId, viewerId, exp: Math.floor(Date.now() / 1000) + ttlS }),
      ),
  };
}

/**
 * Resolves once `test` holds for the rendition's window, checked now and on every change; rejects
 * naming `what` after `limitMs`.
 */
export function untilWindow(
  rendition: Rendition,
  test: (w: RenditionWindow) => boolean,
  what: string,
  limitMs = WINDOW_WAIT_MS,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (test(rendition.window())) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, limitMs);
    const off = rendition.onChange(() => {
      if (!test(rendition.window())) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

export const completeSegments = (w: RenditionWindow): number =>
  w.segments.filter((s) => s.complete).length;

/** Resolves once at least `count` complete segments stand in the rendition's window. */
export function segmentsReady(
  rendition: Rendition,
  count: number,
  limitMs?: number,
): Promise<void> {
  return untilWindow(rendition, (w) => completeSegments(w) >= count, `${count} segments`, limitMs);
}

/** Resolves once `count` more parts than now reached the rendition. */
export function moreParts(rendition: Rendition, count: number, limitMs?: number): Promise<void> {
  const lastSeq = (w: RenditionWindow): number => w.segments.at(-1)?.parts.at(-1)?.seq ?? -1;
  const from = lastSeq(rendition.window());
  return untilWindow(rendition, (w) => lastSeq(w) >= from + count, `${count} more parts`, limitMs);
}
