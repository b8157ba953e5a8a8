// The media process's control routes: the only calls the API makes to it. The API never does
// media work; it sets an event's stream key and reads the stream's status here.
//
//   PUT /control/events/<event>/stream-key   body {"sha256": "<64 hex>"}  -> 200 StreamInfo
//   GET /control/events/<event>/stream                                     -> 200 StreamInfo | 404
//   DELETE /control/events/<event>/stream   (the event ended)              -> 204 | 404
//
// The API sends only the key's SHA-256: no process but the producer's encoder ever holds the key
// after the API's answer. Callers authenticate with a bearer derived from the playback token
// secret both sides already hold (controlToken), compared in constant time. Not meant for a CDN:
// an edge routes `/live/` only.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { PROBLEM_CONTENT_TYPE } from '@fanfare/protocol';
import type { HttpExchange } from './http-exchange.js';
import { NodeHttpExchange, type NodeRequest, type NodeResponse } from './http-exchange-node.js';
import { MEDIA_PROBLEMS, problemBody, type MediaProblemCode } from './problems.js';

/** Largest control request body, bytes. */
export const CONTROL_BODY_MAX_BYTES = 1024;

/** What the API's stream route shows of an event's stream: plain JSON (nulls, never undefined). */
export interface StreamInfo {
  eventId: string;
  /** Where the picture comes from: an encoder (RTMP or SRT, behind the key), or the demo pattern. */
  source: 'encoder' | 'demo';
  /**
   * Publish addresses without the key: an encoder publishes RTMP to `<rtmp>/<key>` or calls
   * `<srt>?streamid=<key>` (MPEG-TS over SRT). Empty for the demo pattern.
   */
  ingest: { rtmp?: string; srt?: string };
  /** The protocol of the encoder publishing now (one at a time), or null. */
  publisher: 'rtmp' | 'srt' | null;
  /** idle: no media yet; live: parts arriving; ended: the ingest stopped for good. */
  state: 'idle' | 'live' | 'ended';
  renditions: {
    name: string;
    width: number;
    height: number;
    /** Bits per second measured over the live window; null before a complete segment. */
    bitrate: number | null;
    lastMsn: number | null;
    lastPart: number | null;
  }[];
  /** Every rendition's measured bitrate added up, bits per second. */
  bitrate: number | null;
  /** When the newest part arrived, ms since the Unix epoch. */
  lastPartAt: number | null;
}

/** What the routes act on (the MediaService). */
export interface ControlledStreams {
  setStreamKey(eventId: string, keySha256: Buffer): Promise<StreamInfo>;
  streamInfo(eventId: string): StreamInfo | undefined;
  /** The event ended: its key leads nowhere, its ingest stops; false when it had no stream. */
  endStream(eventId: string): Promise<boolean>;
}

/** The event's picture comes from the demo pattern: it has no stream key to set. */
export class StreamConflictError extends Error {
  override readonly name = 'StreamConflictError';
  readonly code = 'stream_conflict';
  constructor(eventId: string, source: string) {
    super(`event ${eventId} is fed by the ${source} source and takes no stream key`);
  }
}

/** The bearer the API shows: derived from the shared playback token secret. */
export function controlToken(secret: Buffer): string {
  return createHmac('sha256', secret).update('fanfare media control v1').digest('base64url');
}

/** The request headers the control routes read (a uWS listener keeps only these). */
export const CONTROL_HEADERS = ['authorization'] as const;

const PATH = /^\/control\/events\/([^/]{1,256})\/(stream-key|stream)$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export class ControlRoutes {
  readonly #expected: Buffer;
  readonly #streams: ControlledStreams;

  constructor(options: { secret: Buffer; streams: ControlledStreams }) {
    this.#expected = Buffer.from(`Bearer ${controlToken(options.secret)}`);
    this.#streams = options.streams;
  }

  /** The routes on a node:http server of one's own (the API's tests stand in for media so). */
  readonly handle = (req: NodeRequest, res: NodeResponse): void =>
    this.serve(new NodeHttpExchange(req, res));

  /** The routes behind any transport (the origin's listener). */
  readonly serve = (ex: HttpExchange): void => {
    this.#route(ex).catch((err: unknown) => {
      if (err instanceof StreamConflictError) return problem(ex, 'stream_conflict', err.message);
      problem(ex, 'internal');
    });
  };

  async #route(ex: HttpExchange): Promise<void> {
    const given = Buffer.from(ex.header('authorization') ?? '');
    if (given.length !== this.#expected.length || !timingSafeEqual(given, this.#expected)) {
      return problem(ex, 'control_unauthorized');
    }
    const m = PATH.exec(ex.path);
    if (!m) return problem(ex, 'not_found');
    const eventId = decodeURIComponent(m[1]!);
    if (m[2] === 'stream' && ex.method === 'GET') {
      const info = this.#streams.streamInfo(eventId);
      if (!info) return problem(ex, 'not_found', 'This event has no stream.');
      return answer(ex, 200, JSON.stringify(info));
    }
    if (m[2] === 'stream' && ex.method === 'DELETE') {
      if (!(await this.#streams.endStream(eventId))) {
        return problem(ex, 'not_found', 'This event has no stream.');
      }
      return ex.reply(204, { 'cache-control': 'no-store' });
    }
    if (m[2] === 'stream-key' && ex.method === 'PUT') {
      const body = await ex.body(CONTROL_BODY_MAX_BYTES);
      let sha: unknown;
      try {
        sha = body === undefined ? undefined : (JSON.parse(body) as { sha256?: unknown }).sha256;
      } catch {
        sha = undefined; // answered below as a bad request, like any other wrong body
      }
      if (typeof sha !== 'string' || !SHA256_HEX.test(sha)) {
        return problem(ex, 'bad_request', 'send {"sha256": "<the key\'s SHA-256, 64 hex digits>"}');
      }
      const info = await this.#streams.setStreamKey(eventId, Buffer.from(sha, 'hex'));
      return answer(ex, 200, JSON.stringify(info));
    }
    return problem(ex, 'method_not_allowed');
  }
}

function problem(ex: HttpExchange, code: MediaProblemCode, detail?: string): void {
  answer(ex, MEDIA_PROBLEMS[code].status, problemBody(code, detail), PROBLEM_CONTENT_TYPE);
}

function answer(ex: HttpExchange, status: number, body: string, type = 'application/json'): void {
  ex.reply(status, { 'content-type': type, 'cache-control': 'no-store' }, body);
}
