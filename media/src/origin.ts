// The LL-HLS origin: one request handler for node:http and node:http2 (compatibility API) that
// serves playlists, init segments, parts and segments of the live streams from memory.
//
//   /live/<event>/<token>/master.m3u8
//   /live/<event>/<token>/<rendition>/index.m3u8[?_HLS_msn=M[&_HLS_part=P]][&_HLS_skip=YES]
//   /live/<event>/<token>/<rendition>/{init,part,seg}-<epoch>-<n>.{mp4,m4s}
//   /auth/live/<event>/<token>/...   204 when the token is good (for an edge's auth_request)
//
// Every request checks the playback token first (no database: an HMAC, playback-token.ts), so
// nobody can probe which events exist. A blocking playlist request, or a request for the hinted
// part, is held until the rendition changes enough to answer it (Rendition.onChange), bounded by
// BLOCKING_LIMIT_TARGETS target durations, past which it is answered 503 `stream_stalled`.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { LiveStream } from './live-stream.js';
import type { RenditionWindow } from './playlist.js';
import { checkPlaybackToken } from './playback-token.js';
import { renderMasterPlaylist, renderMediaPlaylist } from './playlist-render.js';
import { blockingVerdict, partStanding, segmentAt } from './playlist-rules.js';
import {
  MEDIA_PROBLEMS,
  PROBLEM_CONTENT_TYPE,
  problemBody,
  type MediaProblemCode,
} from './problems.js';
import type { Rendition } from './rendition.js';
import { MASTER_PLAYLIST, parseResource } from './resource-names.js';

/** A held request is answered 503 after this many target durations (the RFC's client timeout). */
export const BLOCKING_LIMIT_TARGETS = 3;

/** Parts, segments and init segments never change under their URL (names carry an epoch). */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** A playlist without delivery directives: stale within a second. */
export const LIVE_PLAYLIST_CACHE = 'public, max-age=1';
/** The master playlist changes only when the stream restarts with other codecs. */
export const MASTER_PLAYLIST_CACHE = 'public, max-age=5';
/** Errors are never cached: a 404 part may exist a moment later. */
export const NO_STORE = 'no-store';

/** How long an edge may cache a token's `/auth` answer (bounded by the token's expiry). */
export const EDGE_AUTH_TTL_S = 10;

export const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';
export const MEDIA_CONTENT_TYPE = 'video/mp4';

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** Starts a timer; the returned function cancels it. Injected so tests hold time still. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

export const realTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export interface OriginOptions {
  /** The live stream of an event, if it has one. */
  readonly stream: (eventId: string) => LiveStream | undefined;
  /** The HMAC key shared with the API (and any edge that checks tokens). */
  readonly tokenSecret: Buffer;
  /** Wall clock, ms. */
  readonly now: () => number;
  /** Access-Control-Allow-Origin: `*`, or one origin. */
  readonly corsOrigin: string;
  readonly setTimer?: SetTimer;
  /** Called for each refused token, without the token (for the log and metrics). */
  readonly onRefusal?: (code: MediaProblemCode, eventId: string) => void;
  /** Called each time a request starts being held (for metrics, and tests that wait on it). */
  readonly onHold?: () => void;
}

interface Hold {
  cancel(): void;
  /** Answers the request as if the bound passed (shutdown). */
  expire(): void;
}

export class Origin {
  readonly #options: OriginOptions;
  readonly #setTimer: SetTimer;
  readonly #holds = new Set<Hold>();
  /** Rendered media playlists by window version (a window object lives until the next change). */
  readonly #renderCache = new WeakMap<RenditionWindow, Map<string, Buffer>>();
  #closed = false;

  constructor(options: OriginOptions) {
    this.#options = options;
    this.#setTimer = options.setTimer ?? realTimer;
  }

  /** Requests being held (blocking reloads and hinted parts). */
  get held(): number {
    return this.#holds.size;
  }

  /** Answers every held request with 503 and refuses to hold new ones. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const hold of [...this.#holds]) hold.expire();
  }

  readonly handle = (req: Request, res: Response): void => {
    const cors = this.#options.corsOrigin;
    res.setHeader('access-control-allow-origin', cors);
    if (cors !== '*') res.setHeader('vary', 'origin');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-max-age': '86400',
        'cache-control': NO_STORE,
      });
      res.end();
      return;
    }
    const head = method === 'HEAD';
    if (method !== 'GET' && !head) return this.#problem(res, head, 'method_not_allowed');
    const url = new URL(req.url ?? '/', 'http://origin');
    let path = url.pathname.split('/');
    // `/auth/live/...`: an edge asks whether the token of `/live/...` is good (nginx auth_request).
    const authOnly = path[1] === 'auth';
    if (authOnly) path = path.slice(1);
    // ['', 'live', event, token, ...rest]
    if (path[1] === 'live' && path.length === 4) {
      // `/live/<event>/master.m3u8`: the URL without its token segment.
      return this.#problem(res, head, 'token_missing');
    }
    if (path[1] !== 'live' || path.length < 5 || path.length > 6) {
      return this.#problem(res, head, 'not_found');
    }
    const eventId = decodeURIComponent(path[2]!);
    const check = checkPlaybackToken(
      this.#options.tokenSecret,
      path[3],
      eventId,
      Math.floor(this.#options.now() / 1000),
    );
    if (!check.ok) {
      this.#options.onRefusal?.(check.refusal, eventId);
      return this.#problem(res, head, check.refusal);
    }
    if (authOnly) {
      // Cacheable by the edge per token, never past the token's expiry.
      const ttl = Math.min(
        EDGE_AUTH_TTL_S,
        check.claims.exp - Math.floor(this.#options.now() / 1000),
      );
      res.writeHead(204, { 'cache-control': `public, max-age=${ttl}` });
      res.end();
      return;
    }
    const stream = this.#options.stream(eventId);
    if (!stream) return this.#problem(res, head, 'not_found', 'This event has no stream.');
    if (path.length === 5) {
      if (path[4] !== MASTER_PLAYLIST) return this.#problem(res, head, 'not_found');
      const variants = stream.variants();
      if (!variants) return this.#problem(res, head, 'stream_not_live', undefined, 1);
      return send(
        res,
        head,
        200,
        PLAYLIST_CONTENT_TYPE,
        MASTER_PLAYLIST_CACHE,
        renderMasterPlaylist(variants),
      );
    }
    const rendition = stream.rendition(path[4]!);
    const resource = parseResource(path[5]!);
    if (!rendition || !resource) return this.#problem(res, head, 'not_found');
    switch (resource.kind) {
      case 'playlist':
        return this.#playlist(stream, rendition, url.searchParams, res, head);
      case 'init': {
        const bytes = rendition.init(path[5]!);
        if (bytes) return send(res, head, 200, MEDIA_CONTENT_TYPE, IMMUTABLE_CACHE, bytes);
        return this.#problem(res, head, resource.epoch < rendition.epoch ? 'gone' : 'not_found');
      }
      case 'segment': {
        if (resource.epoch !== rendition.epoch)
          return this.#staleEpoch(res, head, rendition, resource.epoch);
        const bytes = rendition.segment(resource.msn);
        if (bytes) return send(res, head, 200, MEDIA_CONTENT_TYPE, IMMUTABLE_CACHE, bytes);
        const first = rendition.window().segments[0];
        const gone = first !== undefined && resource.msn < first.msn;
        return this.#problem(res, head, gone ? 'gone' : 'not_found');
      }
      case 'part':
        if (resource.epoch !== rendition.epoch)
          return this.#staleEpoch(res, head, rendition, resource.epoch);
        return this.#part(rendition, resource.seq, res, head);
    }
  };

  #staleEpoch(res: Response, head: boolean, rendition: Rendition, epoch: string): void {
    this.#problem(res, head, epoch < rendition.epoch ? 'gone' : 'not_found');
  }

  #part(rendition: Rendition, seq: number, res: Response, head: boolean): void {
    const answer = (): boolean => {
      const standing = partStanding(rendition.window(), seq);
      if (standing === 'upcoming') return false;
      if (standing === 'present') {
        send(res, head, 200, MEDIA_CONTENT_TYPE, IMMUTABLE_CACHE, rendition.part(seq)!);
      } else {
        this.#problem(res, head, standing === 'gone' ? 'gone' : 'not_found');
      }
      return true;
    };
    if (!answer()) this.#hold(rendition, res, head, answer);
  }

  #playlist(
    stream: LiveStream,
    rendition: Rendition,
    query: URLSearchParams,
    res: Response,
    head: boolean,
  ): void {
    const directives = parseDirectives(query);
    if (typeof directives === 'string')
      return this.#problem(res, head, 'bad_directive', directives);
    const render = (): Buffer => this.#rendered(stream, rendition, directives.skip);
    if (directives.msn === undefined) {
      return send(res, head, 200, PLAYLIST_CONTENT_TYPE, LIVE_PLAYLIST_CACHE, render());
    }
    const { msn, part } = directives;
    // A blocking response stays right for anyone asking the same position: cache it by query.
    const blockingCache = (): string =>
      `public, max-age=${BLOCKING_LIMIT_TARGETS * rendition.window().targetDuration}`;
    const answer = (): boolean => {
      const window = rendition.window();
      const verdict =
        window.ended && !segmentAt(window, msn) ? 'ready' : blockingVerdict(window, msn, part);
      if (verdict === 'wait') return false;
      if (verdict === 'too_far') this.#problem(res, head, 'blocking_too_far');
      else send(res, head, 200, PLAYLIST_CONTENT_TYPE, blockingCache(), render());
      return true;
    };
    if (!answer()) this.#hold(rendition, res, head, answer);
  }

  /**
   * The media playlist's bytes, rendered once per window version, delta choice and rendition
   * report positions, and shared by every request that wants the same (encode once, send many:
   * thousands of held requests are answered by one part's arrival).
   */
  #rendered(stream: LiveStream, rendition: Rendition, skip: boolean): Buffer {
    const window = rendition.window();
    const reports = stream.reports(rendition.name);
    const key = `${skip ? 1 : 0}${reports.map((r) => `|${r.lastMsn}.${r.lastPart}`).join('')}`;
    let versions = this.#renderCache.get(window);
    if (!versions) {
      versions = new Map();
      this.#renderCache.set(window, versions);
    }
    let bytes = versions.get(key);
    if (!bytes) {
      bytes = Buffer.from(renderMediaPlaylist(window, rendition.uris, { skip, reports }));
      versions.set(key, bytes);
    }
    return bytes;
  }

  /**
   * Holds a request until `answer` returns true after a change of the rendition, or answers
   * 503 once the bound passes. A client that goes away releases its hold.
   */
  #hold(rendition: Rendition, res: Response, head: boolean, answer: () => boolean): void {
    if (this.#closed) return this.#problem(res, head, 'stream_stalled', undefined, 1);
    const limitMs = BLOCKING_LIMIT_TARGETS * rendition.window().targetDuration * 1000;
    const release = (): void => {
      off();
      cancelTimer();
      this.#holds.delete(hold);
      res.off('close', release);
    };
    const hold: Hold = {
      cancel: release,
      expire: () => {
        release();
        this.#problem(res, head, 'stream_stalled', undefined, 1);
      },
    };
    const off = rendition.onChange(() => {
      if (answer()) release();
    });
    const cancelTimer = this.#setTimer(() => hold.expire(), limitMs);
    this.#holds.add(hold);
    res.on('close', release);
    this.#options.onHold?.();
  }

  #problem(
    res: Response,
    head: boolean,
    code: MediaProblemCode,
    detail?: string,
    retryAfterS?: number,
  ): void {
    if (retryAfterS !== undefined) res.setHeader('retry-after', String(retryAfterS));
    send(
      res,
      head,
      MEDIA_PROBLEMS[code].status,
      PROBLEM_CONTENT_TYPE,
      NO_STORE,
      problemBody(code, detail),
    );
  }
}

interface Directives {
  readonly msn: number | undefined;
  readonly part: number | undefined;
  readonly skip: boolean;
}

const INTEGER = /^\d{1,12}$/;

/** The `_HLS_*` delivery directives of a playlist request, or why they are malformed. */
export function parseDirectives(query: URLSearchParams): Directives | string {
  const msnRaw = query.get('_HLS_msn');
  const partRaw = query.get('_HLS_part');
  const skipRaw = query.get('_HLS_skip');
  if (msnRaw !== null && !INTEGER.test(msnRaw)) return '_HLS_msn must be a non-negative integer';
  if (partRaw !== null && !INTEGER.test(partRaw)) return '_HLS_part must be a non-negative integer';
  if (partRaw !== null && msnRaw === null) return '_HLS_part needs _HLS_msn';
  if (skipRaw !== null && skipRaw !== 'YES' && skipRaw !== 'v2')
    return '_HLS_skip must be YES or v2';
  return {
    msn: msnRaw === null ? undefined : Number(msnRaw),
    part: partRaw === null ? undefined : Number(partRaw),
    // v2 also asks to skip date ranges; we write none, so it is the same as YES.
    skip: skipRaw !== null,
  };
}

function send(
  res: Response,
  head: boolean,
  status: number,
  contentType: string,
  cacheControl: string,
  body: string | Buffer,
): void {
  if (res.writableEnded || res.destroyed) return;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(bytes.length),
    'cache-control': cacheControl,
  });
  if (head) res.end();
  else res.end(bytes);
}
