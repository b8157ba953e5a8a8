// The playback token: a short-lived MAC that binds a viewer to an event, checked on every
// playlist, init segment, part and segment request without a database call. The API mints it at
// the join (after entitlement and country checks); the origin, or a CDN edge holding the same
// secret, checks it. docs/media.md shows how an nginx edge checks it with njs.
//
// Format (every field URL-safe, so the token is one path segment):
//
//   v1.<event>.<viewer>.<exp>.<mac>
//
//   event, viewer   base64url (no padding) of the UTF-8 event id and viewer id
//   exp             expiry, Unix seconds, decimal
//   mac             base64url (no padding) of HMAC-SHA256(secret, "v1.<event>.<viewer>.<exp>")
//
// The MAC covers the token's own first four fields as they are written, so a checker needs no
// decoding to verify it: split at the last dot, HMAC the left part, compare.
//
// The token travels as a path segment (`/live/<event>/<token>/master.m3u8`), not as a query
// parameter: players resolve the playlists' relative URIs against the playlist's URL, which keeps
// the path and drops the query, so every part request carries the token with no per-viewer
// rewriting of playlists, and the playlists themselves stay identical for every viewer (one
// cached copy at the edge, keyed without the token segment).

import { createHmac, timingSafeEqual } from 'node:crypto';

export const PLAYBACK_TOKEN_VERSION = 'v1';

/** Shortest secret accepted, bytes (a HMAC-SHA256 key should carry 256 bits). */
export const MIN_TOKEN_SECRET_BYTES = 32;

export interface PlaybackClaims {
  readonly eventId: string;
  readonly viewerId: string;
  /** Expiry, Unix seconds. */
  readonly exp: number;
}

/** Why a token was refused; each maps to a problem code (see problems.ts). */
export type TokenRefusal =
  'token_missing' | 'token_malformed' | 'token_expired' | 'token_invalid' | 'token_wrong_event';

export type TokenCheck =
  | { readonly ok: true; readonly claims: PlaybackClaims }
  | { readonly ok: false; readonly refusal: TokenRefusal };

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function mac(secret: Buffer, signed: string): string {
  return createHmac('sha256', secret).update(signed).digest('base64url');
}

/** Mints a token (the API does this at the join; tests and the demo page too). */
export function mintPlaybackToken(secret: Buffer, claims: PlaybackClaims): string {
  if (!Number.isSafeInteger(claims.exp)) throw new RangeError('exp must be whole Unix seconds');
  const signed = [
    PLAYBACK_TOKEN_VERSION,
    b64(claims.eventId),
    b64(claims.viewerId),
    claims.exp,
  ].join('.');
  return `${signed}.${mac(secret, signed)}`;
}

const TOKEN =
  /^v1\.([A-Za-z0-9_-]{1,256})\.([A-Za-z0-9_-]{1,256})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * The claims of `token` once its MAC is checked (in constant time, before any claim is trusted),
 * or why it has none: missing, malformed or a bad MAC. Event and expiry are not judged here.
 */
function verifiedClaims(
  secret: Buffer,
  token: string | undefined,
): PlaybackClaims | 'token_missing' | 'token_malformed' | 'token_invalid' {
  if (token === undefined || token === '') return 'token_missing';
  const m = TOKEN.exec(token);
  if (!m) return 'token_malformed';
  const [, event, viewer, exp, given] = m as unknown as [string, string, string, string, string];
  const signed = token.slice(0, token.length - given.length - 1);
  if (!timingSafeEqual(Buffer.from(mac(secret, signed)), Buffer.from(given))) {
    return 'token_invalid';
  }
  return {
    eventId: Buffer.from(event, 'base64url').toString('utf8'),
    viewerId: Buffer.from(viewer, 'base64url').toString('utf8'),
    exp: Number(exp),
  };
}

/** Verified claims judged for a request to `eventId` at `nowS`: the event first, then expiry. */
function judged(claims: PlaybackClaims, eventId: string, nowS: number): TokenCheck {
  if (claims.eventId !== eventId) return { ok: false, refusal: 'token_wrong_event' };
  if (nowS >= claims.exp) return { ok: false, refusal: 'token_expired' };
  return { ok: true, claims };
}

/**
 * Checks `token` for a request to `eventId` at `nowS` (Unix seconds). The MAC is compared in
 * constant time before any claim is trusted; a token for another event with a valid MAC is
 * refused as `token_wrong_event`, one with a bad MAC as `token_invalid`.
 */
export function checkPlaybackToken(
  secret: Buffer,
  token: string | undefined,
  eventId: string,
  nowS: number,
): TokenCheck {
  const claims = verifiedClaims(secret, token);
  return typeof claims === 'string'
    ? { ok: false, refusal: claims }
    : judged(claims, eventId, nowS);
}

/** Tokens whose MAC a PlaybackTokenChecker remembers (a viewer's token is checked per part). */
export const TOKEN_CACHE_ENTRIES = 10_000;

/**
 * `checkPlaybackToken` with the MAC verified once per token string: a viewer sends the same token
 * with every playlist and part request (ten a second), and the HMAC was a tenth of the origin's
 * CPU under load. Only tokens whose MAC verified are remembered, with their claims, until their
 * expiry: the claims are judged again on every request (event, expiry), so a remembered token is
 * refused from its expiry second on exactly as an unremembered one, and then forgotten. An
 * expired token is never remembered, and never costs a live one its place: when the checker is
 * full it first forgets every expired token (a sweep at most once a second), and only then the
 * oldest live one.
 */
export class PlaybackTokenChecker {
  readonly #secret: Buffer;
  readonly #max: number;
  readonly #verified = new Map<string, PlaybackClaims>();
  /** The second of the last sweep for expired tokens (a full checker sweeps once a second). */
  #sweptS = -1;

  constructor(secret: Buffer, maxEntries = TOKEN_CACHE_ENTRIES) {
    this.#secret = secret;
    this.#max = maxEntries;
  }

  /** Tokens remembered now. */
  get size(): number {
    return this.#verified.size;
  }

  check(token: string | undefined, eventId: string, nowS: number): TokenCheck {
    let claims = token === undefined ? undefined : this.#verified.get(token);
    if (claims === undefined) {
      const verified = verifiedClaims(this.#secret, token);
      if (typeof verified === 'string') return { ok: false, refusal: verified };
      claims = verified;
      // A token of another event has a good MAC too: remembered, its event is judged each time.
      if (nowS < claims.exp) this.#remember(token!, claims, nowS);
    } else if (nowS >= claims.exp) {
      this.#verified.delete(token!);
    }
    return judged(claims, eventId, nowS);
  }

  #remember(token: string, claims: PlaybackClaims, nowS: number): void {
    if (this.#verified.size >= this.#max && this.#sweptS !== nowS) {
      this.#sweptS = nowS;
      for (const [t, c] of this.#verified) if (nowS >= c.exp) this.#verified.delete(t);
    }
    if (this.#verified.size >= this.#max) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(token, claims);
  }
}
