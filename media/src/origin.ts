// The LL-HLS origin: one request handler for every transport (http-exchange.ts) that serves playlists, init segments, parts and segments of the live streams from memory.
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

import type { HttpExchange, ResponseHeaders } from './http-exchange.js';
import { PROBLEM_CONTENT_TYPE } from '@fanfare/protocol';
import type { LiveStream } from './live-stream.js';
import type { RenditionWindow } from './playlist.js';
import { PlaybackTokenChecker } from './playback-token.js';
import { renderMasterPlaylist, renderMediaPlaylist } from './playlist-render.js';
import { blockingVerdict, partStanding, segmentAt } from './playlist-rules.js';
import { MEDIA_PROBLEMS, problemBody, type MediaProblemCode } from './problems.js';
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
  readonly #tokens: PlaybackTokenChecker;
  readonly #holds = new Set<Hold>();
  /** Rendered media playlists by window version (a window object lives until the next change). */
  readonly #renderCache = new WeakMap<RenditionWindow, Map<string, Buffer>>();
  /** Response headers by content type and cache policy, CORS included: built once each. */
  readonly #headers = new Map<string, ResponseHeaders>();
  readonly #cors: ResponseHeaders;
  #closed = false;

  constructor(options: OriginOptions) {
    this.#options = options;
    this.#setTimer = options.setTimer ?? realTimer;
    this.#tokens = new PlaybackTokenChecker(options.tokenSecret);
    this.#cors =
      options.corsOrigin === '*'
        ? { 'access-control-allow-origin': '*' }
        : { 'access-control-allow-origin': options.corsOrigin, vary: 'origin' };
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

  readonly serve = (ex: HttpExchange): void => {
    const method = ex.method;
    if (method === 'OPTIONS') {
      ex.reply(204, {
        ...this.#cors,
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-max-age': '86400',
        'cache-control': NO_STORE,
      });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return this.#problem(ex, 'method_not_allowed');
    let path = ex.path.split('/');
    // `/auth/live/...`: an edge asks whether the token of `/live/...` is good (nginx auth_request).
    const authOnly = path[1] === 'auth';
    if (authOnly) path = path.slice(1);
    // ['', 'live', event, token, ...rest]
    if (path[1] === 'live' && path.length === 4) {
      // `/live/<event>/master.m3u8`: the URL without its token segment.
      return this.#problem(ex, 'token_missing');
    }
    if (path[1] !== 'live' || path.length < 5 || path.length > 6) {
      return this.#problem(ex, 'not_found');
    }
    let eventId = path[2]!;
    if (eventId.includes('%')) {
      try {
        eventId = decodeURIComponent(eventId);
      } catch {
        return this.#problem(ex, 'not_found'); // a malformed escape names no event
      }
    }
    const nowS = Math.floor(this.#options.now() / 1000);
    const check = this.#tokens.check(path[3], eventId, nowS);
    if (!check.ok) {
      this.#options.onRefusal?.(check.refusal, eventId);
      return this.#problem(ex, check.refusal);
    }
    if (authOnly) {
      // Cacheable by the edge per token, never past the token's expiry.
      const ttl = Math.min(EDGE_AUTH_TTL_S, check.claims.exp - nowS);
      return ex.reply(204, { ...this.#cors, 'cache-control': `public, max-age=${ttl}` });
    }
    const stream = this.#options.stream(eventId);
    if (!stream) return this.#problem(ex, 'not_found', 'This event has no stream.');
    if (path.length === 5) {
      if (path[4] !== MASTER_PLAYLIST) return this.#problem(ex, 'not_found');
      const variants = stream.variants();
      if (!variants) return this.#problem(ex, 'stream_not_live', undefined, 1);
      return this.#send(
        ex,
        PLAYLIST_CONTENT_TYPE,
        MASTER_PLAYLIST_CACHE,
        renderMasterPlaylist(variants),
      );
    }
    const rendition = stream.rendition(path[4]!);
    const resource = parseResource(path[5]!);
    if (!rendition || !resource) return this.#problem(ex, 'not_found');
    switch (resource.kind) {
      case 'playlist':
        return this.#playlist(stream, rendition, ex);
      case 'init': {
        const bytes = rendition.init(path[5]!);
        if (bytes) return this.#send(ex, MEDIA_CONTENT_TYPE, IMMUTABLE_CACHE, bytes);
        return this.#problem(ex, resource.epoch < rendition.epoch ? 'gone' : 'not_found');
      }
      case 'segment': {
        if (resource.epoch !== rendition.epoch)
          return this.#staleEpoch(ex, rendition, resource.epoch);
        const bytes = rendition.segment(resource.msn);
        if (bytes) return this.#send(ex, MEDIA_CONTENT_TYPE, IMMUTABLE_CACHE, bytes);
        const first = rendition.window().segments[0];
        const gone = first !== undefined && resource.msn < first.msn;
        return this.#problem(ex, gone ? 'gone' : 'not_found');
      }
      case 'part':
        if (resource.epoch !== rendition.epoch)
          return this.#staleEpoch(ex, rendition, resource.epoch);
        if (!this.#answerPart(rendition, resource.seq, ex)) {
          const seq = resource.seq;
          this.#hold(rendition, ex, () => this.#answerPart(rendition, seq, ex));
        }
        return;
    }
  };

  #staleEpoch(ex: HttpExchange, rendition: Rendition, epoch: string): void {
    this.#problem(ex, epoch < rendition.epoch ? 'gone' : 'not_found');
  }

  /** Answers a part request if the part exists or never will; false while it is upcoming. */
  #answerPart(rendition: Rendition, seq: number, ex: HttpExchange): boolean {
    const standing = partStanding(rendition.window(), seq);
    if (standing === 'upcoming') return false;
    if (standing === 'present') {
      this.#send(ex, MEDIA_CONTENT_TYPE, IMMUTABLE_CACHE, rendition.part(seq)!);
    } else {
      this.#problem(ex, standing === 'gone' ? 'gone' : 'not_found');
    }
    return true;
  }

  #playlist(stream: LiveStream, rendition: Rendition, ex: HttpExchange): void {
    const directives = parseDirectives(new URLSearchParams(ex.query));
    if (typeof directives === 'string') return this.#problem(ex, 'bad_directive', directives);
    if (directives.msn === undefined) {
      const bytes = this.#rendered(stream, rendition, directives.skip);
      return this.#send(ex, PLAYLIST_CONTENT_TYPE, LIVE_PLAYLIST_CACHE, bytes);
    }
    if (!this.#answerBlocking(stream, rendition, directives, ex)) {
      this.#hold(rendition, ex, () => this.#answerBlocking(stream, rendition, directives, ex));
    }
  }

  /** Answers a blocking playlist request once its position exists; false while it must wait. */
  #answerBlocking(
    stream: LiveStream,
    rendition: Rendition,
    directives: Directives,
    ex: HttpExchange,
  ): boolean {
    const window = rendition.window();
    const msn = directives.msn!;
    const verdict =
      window.ended && !segmentAt(window, msn)
        ? 'ready'
        : blockingVerdict(window, msn, directives.part);
    if (verdict === 'wait') return false;
    if (verdict === 'too_far') {
      this.#problem(ex, 'blocking_too_far');
    } else {
      // A blocking response stays right for anyone asking the same position: cache it by query.
      const cache = `public, max-age=${BLOCKING_LIMIT_TARGETS * window.targetDuration}`;
      const bytes = this.#rendered(stream, rendition, directives.skip);
      this.#send(ex, PLAYLIST_CONTENT_TYPE, cache, bytes);
    }
    return true;
  }

  /**
   * The media playlist's bytes, rendered once per window version, delta choice and rendition
   * report positions, and shared by every request that wants the same (encode once, send many:
   * thousands of held requests are answered by one part's arrival).
   */
  #rendered(stream: LiveStream, rendition: Rendition, skip: boolean): Buffer {
    const window = rendition.window();
    const reports = stream.reports(rendition.name);
    let key = skip ? '1' : '0';
    for (const r of reports) key += `|${r.lastMsn}.${r.lastPart}`;
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
  #hold(rendition: Rendition, ex: HttpExchange, answer: () => boolean): void {
    if (this.#closed) return this.#problem(ex, 'stream_stalled', undefined, 1);
    const limitMs = BLOCKING_LIMIT_TARGETS * rendition.window().targetDuration * 1000;
    const release = (): void => {
      off();
      cancelTimer();
      cancelAbort();
      this.#holds.delete(hold);
    };
    const hold: Hold = {
      cancel: release,
      expire: () => {
        release();
        this.#problem(ex, 'stream_stalled', undefined, 1);
      },
    };
    const off = rendition.onChange(() => {
      if (answer()) release();
    });
    const cancelTimer = this.#setTimer(() => hold.expire(), limitMs);
    const cancelAbort = ex.onAbort(release);
    this.#holds.add(hold);
    this.#options.onHold?.();
  }

  /** A 200 with headers built once per (content type, cache policy). */
  #send(ex: HttpExchange, contentType: string, cacheControl: string, body: Buffer | string): void {
    const key = `${contentType} ${cacheControl}`;
    let headers = this.#headers.get(key);
    if (headers === undefined) {
      headers = { ...this.#cors, 'content-type': contentType, 'cache-control': cacheControl };
      this.#headers.set(key, headers);
    }
    ex.reply(200, headers, body);
  }

  #problem(ex: HttpExchange, code: MediaProblemCode, detail?: string, retryAfterS?: number): void {
    const headers: Record<string, string> = {
      ...this.#cors,
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': NO_STORE,
    };
    if (retryAfterS !== undefined) headers['retry-after'] = String(retryAfterS);
    ex.reply(MEDIA_PROBLEMS[code].status, headers, problemBody(code, detail));
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
