// The media process's Prometheus metrics, served at GET /metrics on the origin's port. One
// registry per MediaService (not prom-client's global one). The origin's requests are counted
// in plain numbers on the hot path (an array index and a Map update per request, no label
// hashing) and handed to prom-client only at scrape time; gauges are read at scrape time.

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** What an origin request asked for: the `kind` label of fanfare_media_origin_requests_total. */
export const ORIGIN_REQUEST_KINDS = [
  'master',
  'playlist',
  'playlist_blocking',
  'part',
  'segment',
  'init',
  'auth',
  'other',
] as const;
export type OriginRequestKind = (typeof ORIGIN_REQUEST_KINDS)[number];

/** The `status` label of a request whose client went away before it was answered. */
export const ABORTED_STATUS = 'aborted';

/**
 * The kind of an origin request from its URL (`/live/<event>/<token>/<rendition>/<file>`, or
 * `/auth/live/...`), without parsing it: the origin parses it again to answer. Index into
 * ORIGIN_REQUEST_KINDS.
 */
export function originRequestKind(url: string): number {
  if (url.startsWith('/auth/')) return 6;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (file.endsWith('.m3u8')) {
    if (file === 'master.m3u8') return 0;
    return q !== -1 && url.includes('_HLS_msn=', q) ? 2 : 1;
  }
  if (file.startsWith('part-')) return 3;
  if (file.startsWith('seg-')) return 4;
  if (file.startsWith('init-')) return 5;
  return 7;
}

/** What the metrics read from the service at scrape time. */
export interface MediaMetricsSource {
  /** Requests the origin holds (blocking playlist reloads and hinted parts). */
  held(): number;
  /** ffmpeg ingests by state (`running`: ffmpeg up; `waiting`: restarting). */
  ingests(): { running: number; waiting: number };
  /** Encoders connected to an ingest gate now (RTMP or SRT publishers). */
  publishers(): number;
  /** Events with a stream. */
  streams(): number;
}

export class MediaMetrics {
  readonly registry = new Registry();
  /** Per kind (ORIGIN_REQUEST_KINDS index): status (0 when aborted) -> requests. */
  readonly #requests: Map<number, number>[] = ORIGIN_REQUEST_KINDS.map(() => new Map());
  readonly #parts: Counter<'rendition'>;
  readonly #restarts: Counter;

  constructor(source: MediaMetricsSource) {
    const registers = [this.registry];
    const requests = this.#requests;
    new Counter({
      name: 'fanfare_media_origin_requests_total',
      help: 'Origin requests answered, by what they asked for and status (`aborted`: the client left first).',
      labelNames: ['kind', 'status'] as const,
      registers,
      collect() {
        this.reset();
        requests.forEach((byStatus, kind) => {
          for (const [status, n] of byStatus) {
            this.inc(
              {
                kind: ORIGIN_REQUEST_KINDS[kind]!,
                status: status === 0 ? ABORTED_STATUS : String(status),
              },
              n,
            );
          }
        });
      },
    });
    new Gauge({
      name: 'fanfare_media_origin_held_requests',
      help: 'Requests the origin holds now (blocking playlist reloads and hinted parts).',
      registers,
      collect() {
        this.set(source.held());
      },
    });
    new Gauge({
      name: 'fanfare_media_ingests',
      help: 'ffmpeg ingests by state: running (ffmpeg up) or waiting (exited, restarting).',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const { running, waiting } = source.ingests();
        this.set({ state: 'running' }, running);
        this.set({ state: 'waiting' }, waiting);
      },
    });
    new Gauge({
      name: 'fanfare_media_publishers',
      help: 'Encoders connected to the RTMP or SRT ingest gate now.',
      registers,
      collect() {
        this.set(source.publishers());
      },
    });
    new Gauge({
      name: 'fanfare_media_streams',
      help: 'Events with a live stream (demo or encoder) in this process.',
      registers,
      collect() {
        this.set(source.streams());
      },
    });
    this.#parts = new Counter({
      name: 'fanfare_media_parts_published_total',
      help: 'LL-HLS parts (CMAF fragments) published, by rendition.',
      labelNames: ['rendition'] as const,
      registers,
    });
    this.#restarts = new Counter({
      name: 'fanfare_media_ffmpeg_restarts_total',
      help: 'ffmpeg started again after it exited (an encoder hanging up, a crash, bad output).',
      registers,
    });
  }

  /** Counts one answered (or abandoned: `status` 0) origin request of `kind`. */
  request(kind: number, status: number): void {
    const byStatus = this.#requests[kind]!;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  part(rendition: string): void {
    this.#parts.inc({ rendition });
  }

  ffmpegRestart(): void {
    this.#restarts.inc();
  }

  /** Adds Node's process metrics (event-loop lag among them); once per registry. */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
