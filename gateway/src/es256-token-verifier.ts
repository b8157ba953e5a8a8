// The token check a shard runs per join, with the signature verified by node:crypto (OpenSSL,
// synchronous) instead of jose's WebCrypto path. Profiled on a shard in a join storm, jose's
// verify was half of a join's CPU (docs/benchmarks.md): WebCrypto's algorithm normalisation,
// WebIDL conversions and a promise job per call around the same OpenSSL ECDSA check; measured
// alone here, 153 CPU-µs per token against 63 for crypto.verify.
//
// jose still does what is worth a library: fetching and caching the JWKS, picking the key by
// `kid` (and refetching for an unknown one), importing a PEM. What is left here is small and
// pinned: ES256 only, no `crit`, no unencoded payload, exactly three segments, a 64-byte
// signature; then the same claim rules as jose's `jwtVerify` with our options (iss, aud, exp
// and nbf with CLOCK_TOLERANCE_S, `sub` required), and `fanClaims` as JoseTokenVerifier does.
// The two verifiers run one contract suite (token-verifier.contract.ts).

import { GATEWAY_AUDIENCE, TOKEN_ALGORITHM } from '@fanfare/protocol';
import { KeyObject, verify as verifySignature } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  importSPKI,
  jwksCache,
  type JSONWebKeySet,
  type JWKSCacheInput,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import {
  CLOCK_TOLERANCE_S,
  TokenRejectedError,
  fanClaims,
  type KeySource,
  type KeysHeld,
  type TokenVerifier,
  type VerifiedClaims,
} from './token-verifier.js';

/** An ES256 signature in JWS form: r and s, 32 bytes each. */
const ES256_SIGNATURE_BYTES = 64;
/** Longer tokens are refused unread (a fan token is well under 1 KiB). */
const MAX_TOKEN_CHARS = 8192;

type KeyLookup = (header: JWSHeaderParameters) => Promise<KeyObject>;

/** A key source as the verifier uses it: the lookup, what it holds, and a fetch ahead of joins. */
interface Keys {
  lookup: KeyLookup;
  held: () => KeysHeld | undefined;
  load: () => Promise<void>;
}

function invalid(message: string): TokenRejectedError {
  return new TokenRejectedError('token_invalid', message);
}

function decodeJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw invalid(`token ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

const kidsOf = (jwks: JSONWebKeySet): string[] =>
  jwks.keys.flatMap((k) => (typeof k.kid === 'string' ? [k.kid] : []));

/** jose's key getters answer CryptoKeys; node:crypto wants KeyObjects. One conversion per key. */
function keyObjects(source: KeySource, now: () => number): Keys {
  const converted = new WeakMap<object, KeyObject>();
  const toKeyObject = (key: CryptoKey | Uint8Array | KeyObject): KeyObject => {
    if (key instanceof KeyObject) return key;
    if (key instanceof Uint8Array) throw invalid('a symmetric key cannot verify ES256');
    let object = converted.get(key);
    if (object === undefined) {
      object = KeyObject.from(key);
      converted.set(key, object);
    }
    return object;
  };
  switch (source.kind) {
    case 'jwks-url': {
      // jose records the set and when it fetched it (`uat`) in this cache object.
      const cache: { jwks?: JSONWebKeySet; uat?: number } = {};
      const jwks = createRemoteJWKSet(new URL(source.url), {
        cooldownDuration: 30_000,
        [jwksCache]: cache as JWKSCacheInput,
      });
      return {
        lookup: async (header) => toKeyObject(await jwks(header)),
        held: () =>
          cache.jwks && cache.uat !== undefined
            ? { kids: kidsOf(cache.jwks), fetchedAt: cache.uat }
            : undefined,
        load: async () => {
          if (!jwks.fresh) await jwks.reload();
        },
      };
    }
    case 'jwks': {
      const jwks = createLocalJWKSet(source.jwks);
      const held = { kids: kidsOf(source.jwks), fetchedAt: now() };
      return {
        lookup: async (header) => toKeyObject(await jwks(header)),
        held: () => held,
        load: () => Promise.resolve(),
      };
    }
    case 'public-key': {
      const key = importSPKI(source.pem, TOKEN_ALGORITHM).then(toKeyObject);
      const held = { kids: [], fetchedAt: now() };
      return { lookup: () => key, held: () => held, load: () => key.then(() => undefined) };
    }
  }
}

/** Key lookup failures as jose reports them, mapped to a refusal (no key, or not one for ES256). */
async function keyFor(lookup: KeyLookup, header: JWSHeaderParameters): Promise<KeyObject> {
  try {
    return await lookup(header);
  } catch (err) {
    if (err instanceof TokenRejectedError) throw err;
    const code = (err as { code?: unknown }).code;
    throw new TokenRejectedError(
      'token_invalid',
      `token rejected (${typeof code === 'string' ? code : 'ERR_KEY'})`,
      { cause: err },
    );
  }
}

export class Es256TokenVerifier implements TokenVerifier {
  readonly #keys: Keys;
  readonly #issuer: string;
  readonly #now: () => number;
  #lastHead: string | undefined;
  #lastHeader: JWSHeaderParameters | undefined;

  constructor(source: KeySource, issuer: string, now: () => number = Date.now) {
    this.#keys = keyObjects(source, now);
    this.#issuer = issuer;
    this.#now = now;
  }

  async verify(token: string): Promise<VerifiedClaims> {
    if (token.length > MAX_TOKEN_CHARS) throw invalid('token is too long');
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid('token is not a compact JWS');
    const [head, body, signature] = parts as [string, string, string];
    const key = await keyFor(this.#keys.lookup, this.#header(head));
    const sig = Buffer.from(signature, 'base64url');
    const signed = Buffer.from(`${head}.${body}`, 'ascii');
    if (
      sig.length !== ES256_SIGNATURE_BYTES ||
      !verifySignature('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, sig)
    ) {
      throw invalid('token rejected (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)');
    }
    const payload = decodeJson(body, 'payload') as JWTPayload;
    this.#checkClaims(payload);
    return fanClaims(payload);
  }

  keys(): KeysHeld | undefined {
    return this.#keys.held();
  }

  async loadKeys(): Promise<void> {
    await this.#keys.load();
  }

  /**
   * The checked header of a token. Every token one key signs carries the same header segment, so
   * the last one accepted is kept and compared as a string instead of decoded again per join (a
   * base64url decode and a JSON parse: a few per cent of a join in the shard's profile). Only
   * the parse is skipped: the key is still looked up and the signature checked every time.
   */
  #header(head: string): JWSHeaderParameters {
    if (head === this.#lastHead) return this.#lastHeader!;
    const header = decodeJson(head, 'header');
    if (header.alg !== TOKEN_ALGORITHM) throw invalid('token rejected (ERR_JOSE_ALG_NOT_ALLOWED)');
    if (header.crit !== undefined) throw invalid('token rejected (ERR_JOSE_NOT_SUPPORTED: crit)');
    if (header.b64 !== undefined) throw invalid('token rejected (ERR_JOSE_NOT_SUPPORTED: b64)');
    // Frozen: jose's key lookup receives the same object for every token with this header.
    this.#lastHeader = Object.freeze(header) as JWSHeaderParameters;
    this.#lastHead = head;
    return this.#lastHeader;
  }

  /** jwtVerify's registered-claim rules with JoseTokenVerifier's options. */
  #checkClaims(payload: JWTPayload): void {
    const now = Math.floor(this.#now() / 1000);
    const { iss, aud, exp, nbf, iat, sub } = payload;
    if (exp === undefined || sub === undefined) {
      throw invalid('token rejected (ERR_JWT_CLAIM_VALIDATION_FAILED: missing exp or sub)');
    }
    if (iss !== this.#issuer)
      throw invalid('token rejected (ERR_JWT_CLAIM_VALIDATION_FAILED: iss)');
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!audiences.includes(GATEWAY_AUDIENCE)) {
      throw invalid('token rejected (ERR_JWT_CLAIM_VALIDATION_FAILED: aud)');
    }
    for (const [name, value] of [
      ['exp', exp],
      ['nbf', nbf],
      ['iat', iat],
    ] as const) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw invalid(`token rejected (ERR_JWT_CLAIM_VALIDATION_FAILED: ${name})`);
      }
    }
    if (nbf !== undefined && nbf > now + CLOCK_TOLERANCE_S) {
      throw new TokenRejectedError('token_expired', 'token is not yet valid');
    }
    if (exp <= now - CLOCK_TOLERANCE_S) {
      throw new TokenRejectedError('token_expired', 'token is expired');
    }
  }
}
