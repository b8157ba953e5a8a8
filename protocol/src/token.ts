// What a fan token says, agreed between the API (which signs it) and the gateway (which
// verifies it locally, with no database call). A JWT signed with ES256 and a `kid` header.

import type { Role } from './limits.js';
import { ENTITLEMENTS, type Entitlement } from './stage.js';

/** The only algorithm the gateway accepts; pinned so `alg: none` or HS256 tricks cannot pass. */
export const TOKEN_ALGORITHM = 'ES256';

/** Default `iss` of tokens the API signs (configurable on both sides). */
export const TOKEN_ISSUER = 'fanfare';

/** `aud` of tokens meant for the gateway. API credentials carry a different audience. */
export const GATEWAY_AUDIENCE = 'fanfare-gateway';

/** `aud` of tokens meant for the control API (producer, moderator, SRE). */
export const API_AUDIENCE = 'fanfare-api';

/** Private claims of a fan token, beside the registered ones (sub, iss, aud, exp, nbf, iat). */
export interface FanTokenClaims {
  /** The user id, unique per fan. */
  sub: string;
  /** The event the token admits to. */
  evt: string;
  role: Role;
  /** Display name. */
  name: string;
  /** What the fan holds beyond `public` (e.g. `ticketed`); absent means public only. */
  ent?: Entitlement[];
  /**
   * When the session this token continues began, seconds since the Unix epoch (OIDC's
   * `auth_time`): a rejoin's new token keeps it, so the renewal chain is bounded by the API's
   * maximum session age. When issuing, absent means "now".
   */
  auth_time?: number;
  /**
   * The fan's country when it joined, an upper-case ISO 3166 alpha-2 code, as the API's trusted
   * country source (`COUNTRY_HEADER`) saw it; absent when unknown. Shards label QoE by it.
   */
  cty?: string;
  /**
   * Where the API placed this fan (`plc`): the placing API replica and the second of the
   * assignment. The shard counts the fans it admits per placement and reports the counts in its
   * heartbeat, so the API knows exactly which of its assignments have not connected yet.
   */
  plc?: Placement;
}

/**
 * One API replica's assignment second: `r`, the replica's id (PLACEMENT_REPLICA_ID); `s`, the
 * second of the assignment, seconds since the Unix epoch (the replica's clock).
 */
export interface Placement {
  r: string;
  s: number;
}

/** What a replica id may be: 1-16 of [A-Za-z0-9_-]. */
export const PLACEMENT_REPLICA_ID = /^[A-Za-z0-9_-]{1,16}$/;

/** A well-formed placement from a claim, else undefined (the fan is admitted all the same). */
export function readPlacement(raw: unknown): Placement | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { r, s } = raw as { r?: unknown; s?: unknown };
  if (typeof r !== 'string' || !PLACEMENT_REPLICA_ID.test(r)) return undefined;
  if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) return undefined;
  return { r, s };
}

/**
 * The known entitlements of an `ent` claim (a token's or a resume ticket's), each once; unknown
 * values (newer issuers) are ignored, and anything but an array reads as none.
 */
export function readEntitlements(ent: unknown): Entitlement[] {
  if (!Array.isArray(ent)) return [];
  const known = ENTITLEMENTS as readonly unknown[];
  return [...new Set(ent.filter((e): e is Entitlement => known.includes(e)))];
}

/** An ISO 3166 alpha-2 code, upper-cased, from a country header or claim; else undefined. */
export function fanCountry(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const code = raw.trim();
  return /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : undefined;
}
