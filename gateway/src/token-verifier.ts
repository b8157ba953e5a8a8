// Local token verification: no database or Redis call per connection. The key comes from the
// API's JWKS (fetched and cached by jose, picked by `kid`) or from a configured public key. The
// algorithm is pinned, and iss, aud, exp and nbf are always checked.

import {
  GATEWAY_AUDIENCE,
  TOKEN_ALGORITHM,
  fanCountry,
  isEventId,
  isRole,
  readEntitlements,
  readPlacement,
  type Entitlement,
  type FanTokenClaims,
} from '@fanfare/protocol';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

export type TokenRejection = 'token_invalid' | 'token_expired';

export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
  constructor(
    readonly reason: TokenRejection,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Verifies a fan token. Resolves with its claims or rejects with TokenRejectedError. */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedClaims>;
  /** The keys it holds now (the shard's registry entry reports them); undefined: none yet. */
  keys?(): KeysHeld | undefined;
  /** Fetches its keys unless it holds fresh ones (pre-warm); rejects when the fetch fails. */
  loadKeys?(): Promise<void>;
}

/** Key ids held and when they were fetched (ms since the epoch); ShardState's `jwks`. */
export interface KeysHeld {
  kids: string[];
  fetchedAt: number;
}

/** A verified token's claims; `ent` always present (empty: public only). */
export type VerifiedClaims = FanTokenClaims & { exp: number; ent: Entitlement[] };

export type KeySource =
  | { kind: 'jwks-url'; url: string }
  | { kind: 'jwks'; jwks: JSONWebKeySet }
  | { kind: 'public-key'; pem: string };

/** Tolerated clock difference between the API and the gateway, seconds. */
export const CLOCK_TOLERANCE_S = 5;

export class JoseTokenVerifier implements TokenVerifier {
  #key: JWTVerifyGetKey | ReturnType<typeof importSPKI>;
  #issuer: string;

  constructor(source: KeySource, issuer: string) {
    this.#issuer = issuer;
    switch (source.kind) {
      case 'jwks-url':
        this.#key = createRemoteJWKSet(new URL(source.url), { cooldownDuration: 30_000 });
        break;
      case 'jwks':
        this.#key = createLocalJWKSet(source.jwks);
        break;
      case 'public-key':
        this.#key = importSPKI(source.pem, TOKEN_ALGORITHM);
        break;
    }
  }

  async verify(token: string): Promise<VerifiedClaims> {
    let payload: JWTPayload;
    try {
      const key = this.#key;
      const options = {
        algorithms: [TOKEN_ALGORITHM],
        issuer: this.#issuer,
        audience: GATEWAY_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      };
      payload =
        typeof key === 'function'
          ? (await jwtVerify(token, key, options)).payload
          : (await jwtVerify(token, await key, options)).payload;
    } catch (err) {
      if (err instanceof errors.JWTExpired) {
        throw new TokenRejectedError('token_expired', 'token is expired', { cause: err });
      }
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') {
        throw new TokenRejectedError('token_expired', 'token is not yet valid', { cause: err });
      }
      const detail = err instanceof errors.JOSEError ? err.code : 'ERR_UNKNOWN';
      throw new TokenRejectedError('token_invalid', `token rejected (${detail})`, { cause: err });
    }
    return fanClaims(payload);
  }
}

/**
 * The fan claims of a payload whose signature, `iss`, `aud`, `exp` and `nbf` were checked;
 * throws TokenRejectedError when one is missing or malformed. Shared by every verifier.
 */
export function fanClaims(payload: JWTPayload): VerifiedClaims {
  const { sub, evt, role, name, exp, ent, cty, plc } = payload as JWTPayload &
    Partial<FanTokenClaims>;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) {
    throw new TokenRejectedError('token_invalid', 'token has no valid `sub`');
  }
  if (typeof evt !== 'string' || !isEventId(evt)) {
    throw new TokenRejectedError('token_invalid', 'token names no valid event (`evt`)');
  }
  if (!isRole(role)) throw new TokenRejectedError('token_invalid', 'token has no valid `role`');
  if (typeof name !== 'string' || name.length === 0) {
    throw new TokenRejectedError('token_invalid', 'token has no `name`');
  }
  const claims: VerifiedClaims = {
    sub,
    evt,
    role,
    name,
    exp: exp as number,
    ent: readEntitlements(ent),
  };
  const country = fanCountry(cty);
  if (country !== undefined) claims.cty = country;
  const placement = readPlacement(plc);
  if (placement !== undefined) claims.plc = placement;
  return claims;
}
