// The media process's configuration: one zod schema parses the environment once into a typed,
// frozen object, and every problem is reported at once. Only this file and main.ts read
// process.env (this one through its `env` argument). docs/config.md lists every variable; a test
// keeps the list and the schema in step.

import { z } from 'zod';
import type { RenditionSpec } from './live-stream.js';
import { MIN_TOKEN_SECRET_BYTES } from './playback-token.js';
import { SKIP_BOUNDARY_TARGETS, targetDurationFor } from './playlist-rules.js';

export const DEFAULT_MEDIA_HOST = '127.0.0.1';
export const DEFAULT_MEDIA_PORT = 8090;
/** RTMP's registered port: every event's encoders publish here, routed by stream key. */
export const DEFAULT_RTMP_PORT = 1935;
/** The SRT ingest port (UDP) every event's encoders call, routed by Stream ID. */
export const DEFAULT_SRT_PORT = 8890;
/** 200 ms: six frames at 30 fps; PART-HOLD-BACK is three of them. */
export const DEFAULT_PART_MS = 200;
/** 1 s segments: a keyframe a second keeps start-up and rendition switches quick. */
export const DEFAULT_SEGMENT_MS = 1000;
/** 20 segments: comfortably past the 6-target-duration skip boundary, so deltas save. */
export const DEFAULT_WINDOW_SEGMENTS = 20;
export const DEFAULT_FRAME_RATE = 30;
export const DEFAULT_LADDER = '360p:640x360:800k,180p:320x180:250k';
export const DEFAULT_AUDIO_BITRATE = 64_000;
export const DEFAULT_PRESET = 'veryfast';
export const DEFAULT_DEMO_EVENT = 'demo';

export interface MediaConfig {
  /** MEDIA_HOST */
  readonly host: string;
  /** MEDIA_PORT (0: any free port) */
  readonly port: number;
  /** MEDIA_RTMP_PORT: the one RTMP ingest port (TCP) of every event (0: any free port) */
  readonly rtmpPort: number;
  /** MEDIA_SRT_PORT: the one SRT ingest port (UDP) of every event (0: any free port) */
  readonly srtPort: number;
  /** MEDIA_TLS_CERT and MEDIA_TLS_KEY (PEM): HTTP/2 over TLS when both are set. */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** MEDIA_HTTP_SERVER: which server answers plain HTTP/1.1 (TLS is always node:http2). */
  readonly httpServer: 'uws' | 'node';
  /** MEDIA_TOKEN_SECRET: the playback token HMAC key, shared with the API. */
  readonly tokenSecret: Buffer;
  /** MEDIA_CORS_ORIGIN */
  readonly corsOrigin: string;
  /** MEDIA_PART_MS, in seconds */
  readonly partTarget: number;
  /** MEDIA_SEGMENT_MS, in seconds */
  readonly segmentTarget: number;
  /** MEDIA_WINDOW_SEGMENTS */
  readonly windowSegments: number;
  /** MEDIA_FRAME_RATE */
  readonly frameRate: number;
  /** MEDIA_LADDER with MEDIA_AUDIO_BITRATE, highest first */
  readonly ladder: readonly RenditionSpec[];
  /** MEDIA_PRESET */
  readonly preset: string;
  /** FFMPEG_PATH */
  readonly ffmpegPath: string;
  /** MEDIA_DEMO_EVENT: the event the demo pattern is published to; undefined: no demo. */
  readonly demoEvent: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`invalid media configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** An unset or blank variable is absent (so `FOO=` in a .env file means the default). */
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function int(fallback: number, min: number, max: number) {
  return optional.pipe(
    z
      .string()
      .regex(/^\d+$/, `must be an integer from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .optional()
      .transform((v) => v ?? fallback),
  );
}

const pem = (label: string) =>
  optional
    .transform((v) => v?.replace(/\\n/g, '\n'))
    .refine(
      (v) => v === undefined || (v.includes(`-----BEGIN `) && v.includes(label)),
      `must be a PEM ${label}`,
    );

const RUNG = /^([a-z0-9-]{1,16}):(\d{2,4})x(\d{2,4}):(\d{2,6})k$/;

/** Parses `name:WxH:bitratek,...` into rungs, or returns why not. */
export function parseLadder(text: string, audioBitrate: number): RenditionSpec[] | string {
  const rungs: RenditionSpec[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = RUNG.exec(part);
    if (!m) return `"${part}" is not name:WIDTHxHEIGHT:BITRATEk (e.g. 360p:640x360:800k)`;
    const [, name, w, h, kbps] = m as unknown as [string, string, string, string, string];
    if (Number(w) % 2 || Number(h) % 2) return `${name}: width and height must be even (yuv420p)`;
    if (rungs.some((r) => r.name === name)) return `rendition name ${name} is used twice`;
    rungs.push({
      name,
      width: Number(w),
      height: Number(h),
      videoBitrate: Number(kbps) * 1000,
      audioBitrate,
    });
  }
  if (rungs.length < 1) return 'needs at least one rendition';
  return rungs;
}

const schema = z.object({
  MEDIA_HOST: optional.transform((v) => v ?? DEFAULT_MEDIA_HOST),
  MEDIA_PORT: int(DEFAULT_MEDIA_PORT, 0, 65535),
  MEDIA_RTMP_PORT: int(DEFAULT_RTMP_PORT, 0, 65535),
  MEDIA_SRT_PORT: int(DEFAULT_SRT_PORT, 0, 65535),
  MEDIA_TLS_CERT: pem('CERTIFICATE'),
  MEDIA_TLS_KEY: pem('PRIVATE KEY'),
  MEDIA_HTTP_SERVER: z.enum(['uws', 'node']).default('uws'),
  MEDIA_TOKEN_SECRET: optional.refine(
    (v) => v !== undefined && Buffer.byteLength(v) >= MIN_TOKEN_SECRET_BYTES,
    `is required, at least ${MIN_TOKEN_SECRET_BYTES} bytes (the API holds the same value)`,
  ),
  MEDIA_CORS_ORIGIN: optional
    .transform((v) => v ?? '*')
    .refine((v) => v === '*' || /^https?:\/\/[^/\s]+$/.test(v), 'must be * or one origin'),
  MEDIA_PART_MS: int(DEFAULT_PART_MS, 100, 2000),
  MEDIA_SEGMENT_MS: int(DEFAULT_SEGMENT_MS, 500, 6000),
  MEDIA_WINDOW_SEGMENTS: int(DEFAULT_WINDOW_SEGMENTS, 3, 600),
  MEDIA_FRAME_RATE: int(DEFAULT_FRAME_RATE, 10, 60),
  MEDIA_LADDER: optional.transform((v) => v ?? DEFAULT_LADDER),
  MEDIA_AUDIO_BITRATE: int(DEFAULT_AUDIO_BITRATE, 16_000, 320_000),
  MEDIA_PRESET: optional
    .transform((v) => v ?? DEFAULT_PRESET)
    .refine(
      (v) => /^(ultrafast|superfast|veryfast|faster|fast|medium)$/.test(v),
      'must be an x264 preset from ultrafast to medium',
    ),
  FFMPEG_PATH: optional.transform((v) => v ?? 'ffmpeg'),
  MEDIA_DEMO_EVENT: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined ? DEFAULT_DEMO_EVENT : v.trim() === '' ? undefined : v.trim(),
    )
    .refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,64}$/.test(v), 'must be an event id'),
});

/** The variables the schema reads, for the docs test. */
export const MEDIA_VARIABLES = Object.keys(schema.shape);

type Env = Readonly<Record<string, string | undefined>>;

export function loadMediaConfig(env: Env): MediaConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')} ${i.message}`),
    );
  }
  const v = parsed.data;
  const problems: string[] = [];
  const ladder = parseLadder(v.MEDIA_LADDER, v.MEDIA_AUDIO_BITRATE);
  if (typeof ladder === 'string') problems.push(`MEDIA_LADDER ${ladder}`);
  const frames = (v.MEDIA_PART_MS * v.MEDIA_FRAME_RATE) / 1000;
  if (!Number.isInteger(frames)) {
    problems.push(
      `MEDIA_PART_MS must be whole frames at MEDIA_FRAME_RATE (${v.MEDIA_PART_MS} ms is ${frames} frames)`,
    );
  }
  if (v.MEDIA_SEGMENT_MS % v.MEDIA_PART_MS !== 0) {
    problems.push('MEDIA_SEGMENT_MS must be a multiple of MEDIA_PART_MS');
  }
  const target = targetDurationFor([v.MEDIA_SEGMENT_MS / 1000]);
  if ((v.MEDIA_WINDOW_SEGMENTS * v.MEDIA_SEGMENT_MS) / 1000 <= SKIP_BOUNDARY_TARGETS * target) {
    problems.push(
      `MEDIA_WINDOW_SEGMENTS must span more than the skip boundary (${SKIP_BOUNDARY_TARGETS * target} s)`,
    );
  }
  if ((v.MEDIA_TLS_CERT === undefined) !== (v.MEDIA_TLS_KEY === undefined)) {
    problems.push('MEDIA_TLS_CERT and MEDIA_TLS_KEY must be set together');
  }
  if (problems.length > 0 || typeof ladder === 'string') throw new ConfigError(problems);
  return Object.freeze({
    host: v.MEDIA_HOST,
    port: v.MEDIA_PORT,
    rtmpPort: v.MEDIA_RTMP_PORT,
    srtPort: v.MEDIA_SRT_PORT,
    tls:
      v.MEDIA_TLS_CERT && v.MEDIA_TLS_KEY
        ? Object.freeze({ cert: v.MEDIA_TLS_CERT, key: v.MEDIA_TLS_KEY })
        : undefined,
    httpServer: v.MEDIA_HTTP_SERVER,
    tokenSecret: Buffer.from(v.MEDIA_TOKEN_SECRET!),
    corsOrigin: v.MEDIA_CORS_ORIGIN,
    partTarget: v.MEDIA_PART_MS / 1000,
    segmentTarget: v.MEDIA_SEGMENT_MS / 1000,
    windowSegments: v.MEDIA_WINDOW_SEGMENTS,
    frameRate: v.MEDIA_FRAME_RATE,
    ladder: Object.freeze(ladder),
    preset: v.MEDIA_PRESET,
    ffmpegPath: v.FFMPEG_PATH,
    demoEvent: v.MEDIA_DEMO_EVENT,
  });
}
