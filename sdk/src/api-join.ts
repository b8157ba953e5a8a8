// The join call against Fanfare's API, as a `join` option for FanfareClient: the first call
// joins as a new fan; later ones show the previous token, so the API keeps the fan's identity
// (and its idempotency keys) while placing it on a live shard.

import { parseRetryAfterS, type PlaybackTier } from '@fanfare/protocol';
import type { JoinFn, JoinGrant } from './credentials.js';

export interface ApiJoinOptions {
  /** The API's base URL, e.g. `https://api.example.com`. */
  apiUrl: string;
  eventId: string;
  /** Display name for a first join. */
  name?: string;
  /**
   * The playback tiers this client can play, sent as the join body's `tiers` on every join (a
   * function is asked each time: an app that fell back from WebRTC may stop asking for it).
   * Absent: the API answers LL-HLS.
   */
  tiers?: readonly PlaybackTier[] | (() => readonly PlaybackTier[]);
  /** Defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
}

export class JoinRefusedError extends Error {
  override name = 'JoinRefusedError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    /** The answer's `Retry-After`, seconds (429 and 503), when it had one. */
    readonly retryAfterS?: number,
  ) {
    super(`join refused: ${status}${code ? ` ${code}` : ''}`);
  }
}

export function apiJoin(options: ApiJoinOptions): JoinFn {
  const doFetch = options.fetch ?? globalThis.fetch;
  const url = `${options.apiUrl.replace(/\/$/, '')}/v1/events/${encodeURIComponent(options.eventId)}/join`;
  return async (previous, unreachable) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (previous !== undefined) headers.authorization = `Bearer ${previous}`;
    const tiers = typeof options.tiers === 'function' ? options.tiers() : options.tiers;
    const body = {
      ...(previous === undefined && options.name !== undefined ? { name: options.name } : {}),
      ...(tiers !== undefined ? { tiers } : {}),
      ...(unreachable !== undefined ? { unreachable } : {}),
    };
    const res = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!res.ok) {
      const problem = (await res.json().catch(() => ({}))) as { code?: string };
      const retryAfterS = parseRetryAfterS(res.headers.get('retry-after'));
      throw new JoinRefusedError(res.status, problem.code, retryAfterS);
    }
    const grant = (await res.json()) as JoinGrant;
    return {
      token: grant.token,
      gatewayUrl: grant.gatewayUrl,
      ...(grant.resumeTicket ? { resumeTicket: grant.resumeTicket } : {}),
    };
  };
}
