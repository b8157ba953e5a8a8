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
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import {
  MEDIA_PROBLEMS,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  type MediaProblemCode,
} from './problems.js';

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

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

const PATH = /^\/control\/events\/([^/]{1,256})\/(stream-key|stream)$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export class ControlRoutes {
  readonly #expected: Buffer;
  readonly #streams: ControlledStreams;

  constructor(options: { secret: Buffer; streams: ControlledStreams }) {
    this.#expected = Buffer.from(`Bearer ${controlToken(options.secret)}`);
    this.#streams = options.streams;
  }

  readonly handle = (req: Request, res: Response): void => {
    this.#route(req, res).catch((err: unknown) => {
      if (err instanceof StreamConflictError) return problem(res, 'stream_conflict', err.message);
      problem(res, 'internal');
    });
  };

  async #route(req: Request, res: Response): Promise<void> {
    const given = Buffer.from(String(req.headers.authorization ?? ''));
    if (given.length !== this.#expected.length || !timingSafeEqual(given, this.#expected)) {
      return problem(res, 'control_unauthorized');
    }
    const m = PATH.exec(new URL(req.url ?? '/', 'http://media').pathname);
    if (!m) return problem(res, 'not_found');
    const eventId = decodeURIComponent(m[1]!);
    if (m[2] === 'stream' && req.method === 'GET') {
      const info = this.#streams.streamInfo(eventId);
      if (!info) return problem(res, 'not_found', 'This event has no stream.');
      return answer(res, 200, JSON.stringify(info));
    }
    if (m[2] === 'stream' && req.method === 'DELETE') {
      if (!(await this.#streams.endStream(eventId))) {
        return problem(res, 'not_found', 'This event has no stream.');
      }
      if (!res.writableEnded && !res.destroyed) {
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
      }
      return;
    }
    if (m[2] === 'stream-key' && req.method === 'PUT') {
      const body = await readBody(req);
      let sha: unknown;
      try {
        sha = body === undefined ? undefined : (JSON.parse(body) as { sha256?: unknown }).sha256;
      } catch {
        sha = undefined; // answered below as a bad request, like any other wrong body
      }
      if (typeof sha !== 'string' || !SHA256_HEX.test(sha)) {
        return problem(
          res,
          'bad_request',
          'send {"sha256": "<the key\'s SHA-256, 64 hex digits>"}',
        );
      }
      const info = await this.#streams.setStreamKey(eventId, Buffer.from(sha, 'hex'));
      return answer(res, 200, JSON.stringify(info));
    }
    return problem(res, 'method_not_allowed');
  }
}

/** The body as text, or undefined past CONTROL_BODY_MAX_BYTES. */
async function readBody(req: Request): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > CONTROL_BODY_MAX_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function problem(res: Response, code: MediaProblemCode, detail?: string): void {
  answer(res, MEDIA_PROBLEMS[code].status, problemBody(code, detail), PROBLEM_CONTENT_TYPE);
}

function answer(res: Response, status: number, body: string, type = 'application/json'): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
  });
  res.end(body);
}
