// Resume tickets: what a shard hands a fan in its welcome so that the fan's next connection,
// to this shard or any other of the cluster, is admitted with a MAC check instead of a token
// signature check. The ticket is opaque to clients; its wire form and claims are defined here
// once, the MAC (HMAC-SHA256 under a cluster-wide key) is the gateway's.

import type { Role } from './limits.js';
import type { Entitlement } from './stage.js';
import type { Placement } from './token.js';

/** The upgrade query parameter that carries a ticket (instead of `token`). */
export const RESUME_TICKET_PARAM = 'ticket';

/** Default lifetime of a ticket, seconds: long enough for a resume storm, short for a leak. */
export const RESUME_TICKET_TTL_S = 300;

/** The first segment of every ticket: its format's version. */
export const RESUME_TICKET_FORMAT = 'rt1';

/** Longest ticket a shard reads, characters (a name of 64 and a user id of 128 fit well within). */
export const RESUME_TICKET_MAX_CHARS = 1024;

/** What a welcome grants: the ticket, and when it stops being accepted (ms since the epoch). */
export interface ResumeTicketGrant {
  ticket: string;
  expiresAt: number;
  /**
   * Another live shard of the cluster (its gateway URL) to use the ticket on when the shard
   * that granted it cannot be reached: a killed shard's fans then resume on the others without
   * a join call. Only in grants a shard issues (welcome, `ticket` frames), and only when it
   * knows such a shard; a join's grant never carries one (the API already picked the shard).
   */
  fallbackUrl?: string;
}

/** What a ticket vouches for: the token's claims a session needs, and two expiries. */
export interface ResumeTicketClaims {
  sub: string;
  evt: string;
  role: Role;
  name: string;
  ent: Entitlement[];
  /** The fan token's country (`cty`), carried so a resumed session keeps its QoE label. */
  cty?: string;
  /**
   * The join's placement (the token's `plc`): only in the ticket a join hands out, never in one
   * a shard issues, so a fan is counted as admitted for its placement once, not per resume.
   */
  plc?: Placement;
  /** The ticket's own expiry, seconds since the epoch: at most the token's `texp`. */
  exp: number;
  /** The expiry of the token the chain of tickets started from, seconds: never extended. */
  texp: number;
}

/**
 * The shard a client tries a grant's ticket on when the shard at `from` (which granted it)
 * cannot be reached: the grant's `fallbackUrl` when it is a ws: or wss: URL of another shard
 * (another host or path than `from`'s), else undefined. Server data: anything else is ignored,
 * never thrown on. The SDK and the load generator both follow it.
 */
export function fallbackOf(
  grant: Pick<ResumeTicketGrant, 'fallbackUrl'>,
  from: string,
): string | undefined {
  const raw: unknown = grant.fallbackUrl;
  if (typeof raw !== 'string') return undefined;
  let url: URL;
  let own: URL;
  try {
    // Not URL.canParse: browsers older than 2023 lack it, and the SDK runs in them.
    url = new URL(raw);
    own = new URL(from);
  } catch {
    return undefined; // Not a URL: as if the grant named none.
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return undefined;
  return url.host === own.host && url.pathname === own.pathname ? undefined : raw;
}
