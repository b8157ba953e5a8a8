// Signs the two kinds of token the API hands out: fan tokens the gateway verifies locally (no
// database call per connection, hence short-lived and self-describing) and staff tokens for the
// control API. The audiences differ so neither can be replayed against the other service.

import { KeyObject, randomUUID, sign as signEcdsa } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  API_AUDIENCE,
  GATEWAY_AUDIENCE,
  TOKEN_ALGORITHM,
  TOKEN_ISSUER,
  ENTITLEMENTS,
  fanCountry,
  isEventId,
  isRole,
  type Entitlement,
  type FanTokenClaims,
} from '@fanfare/protocol';
import type { SigningKeys } from './signing-keys.js';
import { isStaffRole, type StaffRole } from './staff-auth.js';

/** Default lifetime of a fan token, seconds (1 hour): long enough for a show, short for a leak. */
export const FAN_TOKEN_TTL_S = 60 * 60;

/**
 * How long after its expiry a fan token may still be traded for a new one, seconds (1 hour):
 * a fan whose shard died mid-show keeps its identity however long it was away, within reason.
 */
export const REJOIN_GRACE_S = 60 * 60;

/**
 * Longest a chain of rejoins may renew one fan's identity, seconds (12 hours), counted from the
 * first join (`auth_time`): a stolen token is good for at most this long, however often renewed.
 */
export const MAX_SESSION_AGE_S = 12 * 60 * 60;

/** Default lifetime of a staff token, seconds (12 hours: one working shift). */
export const STAFF_TOKEN_TTL_S = 12 * 60 * 60;

/** Private claims of a staff token (audience API_AUDIENCE). */
export interface StaffTokenClaims {
  sub: string;
  role: StaffRole;
  name: string;
  /** The one event this token may act on; absent: every event. */
  evt?: string;
}

/** The known entitlements in a claim, `public` left out (every token has it); [] if malformed. */
function entitlementsOf(value: unknown): Entitlement[] {
  if (!Array.isArray(value)) return [];
  return ENTITLEMENTS.filter((e) => e !== 'public' && value.includes(e));
}

export interface IssuedToken {
  /** The compact JWS. */
  token: string;
  /** When the token stops being accepted, ms since the Unix epoch. */
  expiresAt: number;
}

export interface TokenIssuerOptions {
  keys: SigningKeys;
  /** `iss` claim; defaults to TOKEN_ISSUER. Verifiers must be configured with the same. */
  issuer?: string;
  /** Fan token lifetime, seconds; defaults to FAN_TOKEN_TTL_S. */
  fanTtlS?: number;
  /** Staff token lifetime, seconds; defaults to STAFF_TOKEN_TTL_S. */
  staffTtlS?: number;
  /** Longest renewal chain of a fan token, seconds; defaults to MAX_SESSION_AGE_S. */
  maxSessionAgeS?: number;
  /** Wall clock, ms since the Unix epoch; injectable so tests can pin `iat` and `exp`. */
  now?: () => number;
}

export class TokenIssuer {
  #keys: SigningKeys;
  #issuer: string;
  #fanTtlS: number;
  #staffTtlS: number;
  #maxSessionAgeS: number;
  #now: () => number;
  #signer = new Es256Signer();

  constructor(options: TokenIssuerOptions) {
    this.#keys = options.keys;
    this.#issuer = options.issuer ?? TOKEN_ISSUER;
    this.#fanTtlS = options.fanTtlS ?? FAN_TOKEN_TTL_S;
    this.#staffTtlS = options.staffTtlS ?? STAFF_TOKEN_TTL_S;
    this.#maxSessionAgeS = options.maxSessionAgeS ?? MAX_SESSION_AGE_S;
    this.#now = options.now ?? Date.now;
  }

  /** A token admitting one fan to one event through the gateway (audience GATEWAY_AUDIENCE). */
  async issueFanToken(claims: FanTokenClaims): Promise<IssuedToken> {
    const { sub, evt, role, name } = claims;
    const ent = entitlementsOf(claims.ent);
    const authTime = claims.auth_time ?? Math.floor(this.#now() / 1000);
    const privateClaims: Record<string, unknown> = { evt, role, name, auth_time: authTime };
    if (ent.length > 0) privateClaims.ent = ent;
    const cty = fanCountry(claims.cty);
    if (cty !== undefined) privateClaims.cty = cty;
    if (claims.plc !== undefined) privateClaims.plc = claims.plc;
    return this.#sign(privateClaims, sub, GATEWAY_AUDIENCE, this.#fanTtlS);
  }

  /**
   * The claims of a fan token this API signed (any of its current keys), accepted up to
   * REJOIN_GRACE_S past its expiry; undefined when the token is not one of ours.
   */
  async verifyFanToken(token: string): Promise<FanTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.#keys.jwks()), {
        algorithms: [TOKEN_ALGORITHM],
        issuer: this.#issuer,
        audience: GATEWAY_AUDIENCE,
        clockTolerance: REJOIN_GRACE_S,
        currentDate: new Date(this.#now()),
      });
      const { sub, evt, role, name } = payload as Partial<FanTokenClaims>;
      if (typeof sub !== 'string' || typeof name !== 'string') return undefined;
      if (typeof evt !== 'string' || !isEventId(evt) || !isRole(role)) return undefined;
      const ent = entitlementsOf(payload.ent);
      // Tokens from before `auth_time` existed began their session no later than their `iat`.
      const authTime = typeof payload.auth_time === 'number' ? payload.auth_time : payload.iat;
      if (typeof authTime !== 'number') return undefined;
      const claims: FanTokenClaims = { sub, evt, role, name, auth_time: authTime };
      if (ent.length > 0) claims.ent = ent;
      return claims;
    } catch {
      return undefined; // Any failure means "not a token of ours": the caller answers 401.
    }
  }

  /**
   * Whether a verified fan token's session is past the maximum age: a rejoin with it is refused
   * (`session_expired`), and the fan joins afresh (an anonymous fan gets a new identity).
   */
  sessionExpired(claims: FanTokenClaims): boolean {
    const started = claims.auth_time ?? 0;
    return this.#now() / 1000 - started > this.#maxSessionAgeS;
  }

  /** A credential for the control API (audience API_AUDIENCE); the gateway refuses it. */
  async issueStaffToken(claims: StaffTokenClaims): Promise<IssuedToken> {
    const { sub, role, name, evt } = claims;
    const privateClaims: Record<string, string> = { role, name };
    if (evt !== undefined) privateClaims.evt = evt;
    return this.#sign(privateClaims, sub, API_AUDIENCE, this.#staffTtlS);
  }

  /** The claims of a valid, unexpired staff token this API signed; undefined otherwise. */
  async verifyStaffToken(token: string): Promise<StaffTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(this.#keys.jwks()), {
        algorithms: [TOKEN_ALGORITHM],
        issuer: this.#issuer,
        audience: API_AUDIENCE,
        currentDate: new Date(this.#now()),
      });
      const { sub, role, name, evt } = payload as Partial<StaffTokenClaims>;
      if (typeof sub !== 'string' || typeof name !== 'string' || !isStaffRole(role))
        return undefined;
      if (evt !== undefined && (typeof evt !== 'string' || !isEventId(evt))) return undefined;
      return evt === undefined ? { sub, role, name } : { sub, role, name, evt };
    } catch {
      return undefined; // Any failure means "not a staff token of ours": the caller answers 401.
    }
  }

  async #sign(
    privateClaims: Record<string, unknown>,
    sub: string,
    audience: string,
    ttlS: number,
  ): Promise<IssuedToken> {
    const { kid, privateKey } = this.#keys.current();
    const iat = Math.floor(this.#now() / 1000);
    const exp = iat + ttlS;
    const payload = {
      ...privateClaims,
      iss: this.#issuer,
      sub,
      aud: audience,
      iat,
      nbf: iat,
      exp,
      jti: randomUUID(),
    };
    const token = this.#signer.sign(kid, privateKey, payload);
    return { token, expiresAt: exp * 1000 };
  }
}

/**
 * Compact ES256 JWS with node:crypto's synchronous `sign` (OpenSSL), the same bytes jose's
 * SignJWT makes but without its WebCrypto path: jose spent ~130-200 CPU-µs per token here
 * against ~31 for the signature itself (docs/benchmarks.md). The header segment is built once
 * per key, and each CryptoKey is converted to a KeyObject once.
 */
class Es256Signer {
  #keyObjects = new WeakMap<CryptoKey, KeyObject>();
  #heads = new Map<string, string>();

  sign(kid: string, privateKey: CryptoKey, payload: Record<string, unknown>): string {
    let key = this.#keyObjects.get(privateKey);
    if (key === undefined) {
      key = KeyObject.from(privateKey);
      this.#keyObjects.set(privateKey, key);
    }
    let head = this.#heads.get(kid);
    if (head === undefined) {
      head = base64url(JSON.stringify({ alg: TOKEN_ALGORITHM, kid, typ: 'JWT' }));
      this.#heads.set(kid, head);
    }
    const signingInput = `${head}.${base64url(JSON.stringify(payload))}`;
    const signature = signEcdsa('sha256', Buffer.from(signingInput, 'ascii'), {
      key,
      dsaEncoding: 'ieee-p1363',
    });
    return `${signingInput}.${signature.toString('base64url')}`;
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
