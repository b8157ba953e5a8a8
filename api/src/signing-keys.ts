// The ES256 keys the API signs tokens with, and the JWKS that gateways verify them against.
// Rotation without downtime: `rotate()` makes a new key current while older keys stay in the
// JWKS, so tokens they signed keep verifying until `retire(kid)` drops them (after the longest
// token TTL has passed). Verifiers that cache the JWKS learn a new kid when they refetch, so
// they must refetch on an unknown kid (jose's remote JWKS does, after its cooldown).

import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importPKCS8,
  type CryptoKey,
  type JWK,
} from 'jose';
import { TOKEN_ALGORITHM } from '@fanfare/protocol';

/** A public key as published in the JWKS. */
export interface PublicJwk extends JWK {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof TOKEN_ALGORITHM;
  use: 'sig';
}

/** The key that signs new tokens. */
export interface CurrentKey {
  kid: string;
  privateKey: CryptoKey;
}

export type SigningKeysErrorCode = 'invalid_key' | 'kid_taken' | 'kid_unknown' | 'kid_current';

export class SigningKeysError extends Error {
  override readonly name = 'SigningKeysError';
  readonly code: SigningKeysErrorCode;

  constructor(code: SigningKeysErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

interface KeyEntry {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: Readonly<PublicJwk>;
}

export interface NewKeyOptions {
  /** A PKCS#8 PEM of a P-256 private key; a fresh key is generated when absent. */
  pem?: string;
  /** Defaults to the key's RFC 7638 thumbprint, which every replica holding the PEM agrees on. */
  kid?: string;
}

async function createEntry(options: NewKeyOptions): Promise<KeyEntry> {
  let privateKey: CryptoKey;
  let jwk: JWK;
  if (options.pem === undefined) {
    // Not extractable: an ephemeral private key never needs to leave this process. The public
    // half is always exportable.
    const pair = await generateKeyPair(TOKEN_ALGORITHM, { extractable: false });
    privateKey = pair.privateKey;
    jwk = await exportJWK(pair.publicKey);
  } else {
    try {
      // Extractable only so the public half can be derived from the private key.
      privateKey = await importPKCS8(options.pem, TOKEN_ALGORITHM, { extractable: true });
    } catch (err) {
      throw new SigningKeysError('invalid_key', 'the key is not a PKCS#8 PEM of a P-256 key', {
        cause: err,
      });
    }
    jwk = await exportJWK(privateKey);
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || jwk.x === undefined || jwk.y === undefined) {
    throw new SigningKeysError('invalid_key', 'the key is not a P-256 key');
  }
  // Copy the public members by name so no private member (`d`) can slip into the JWKS.
  const { x, y } = jwk;
  const kid = options.kid ?? (await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x, y }));
  const publicJwk: PublicJwk = {
    kty: 'EC',
    crv: 'P-256',
    x,
    y,
    kid,
    alg: TOKEN_ALGORITHM,
    use: 'sig',
  };
  return { kid, privateKey, publicJwk: Object.freeze(publicJwk) };
}

export class SigningKeys {
  /** Oldest first; the last entry is current. Never empty. */
  #entries: KeyEntry[];

  private constructor(first: KeyEntry) {
    this.#entries = [first];
  }

  /** One fresh key that lives as long as this process (the embedded mode). */
  static async generate(kid?: string): Promise<SigningKeys> {
    return new SigningKeys(await createEntry(kid === undefined ? {} : { kid }));
  }

  /** Loads a configured private key. Throws SigningKeysError `invalid_key` if it is not P-256. */
  static async fromPem(privatePkcs8Pem: string, kid?: string): Promise<SigningKeys> {
    return new SigningKeys(await createEntry({ pem: privatePkcs8Pem, kid }));
  }

  /** The key that signs new tokens. */
  current(): CurrentKey {
    // The constructor seeds one entry and retire() never removes the last, so this is defined.
    const entry = this.#entries[this.#entries.length - 1] as KeyEntry;
    return { kid: entry.kid, privateKey: entry.privateKey };
  }

  /** Kids in the JWKS, oldest first; the last is current. */
  kids(): string[] {
    return this.#entries.map((entry) => entry.kid);
  }

  /**
   * Adds a key and makes it current, at once; the previous keys stay published. Returns the new
   * kid. Throws SigningKeysError `kid_taken` if the kid is already in the set.
   */
  async rotate(options: NewKeyOptions = {}): Promise<string> {
    const entry = await createEntry(options);
    if (this.#entries.some((existing) => existing.kid === entry.kid)) {
      throw new SigningKeysError('kid_taken', `kid ${entry.kid} is already in the key set`);
    }
    this.#entries.push(entry);
    return entry.kid;
  }

  /**
   * Adds a key to the JWKS without making it current: it verifies but never signs. Rotation
   * across a fleet of API replicas uses it twice: first publish the next key everywhere (so no
   * replica refuses tokens the others will sign with it), then make it current and publish the
   * old one until its last tokens expire. Returns the kid; `kid_taken` if already in the set.
   */
  async publish(options: NewKeyOptions): Promise<string> {
    const entry = await createEntry(options);
    if (this.#entries.some((existing) => existing.kid === entry.kid)) {
      throw new SigningKeysError('kid_taken', `kid ${entry.kid} is already in the key set`);
    }
    this.#entries.splice(this.#entries.length - 1, 0, entry);
    return entry.kid;
  }

  /**
   * Drops an old key from the JWKS; tokens it signed stop verifying once verifiers refetch.
   * Throws SigningKeysError `kid_unknown`, or `kid_current` for the key that signs now.
   */
  retire(kid: string): void {
    const index = this.#entries.findIndex((entry) => entry.kid === kid);
    if (index === -1) throw new SigningKeysError('kid_unknown', `no key with kid ${kid}`);
    if (index === this.#entries.length - 1) {
      throw new SigningKeysError('kid_current', `kid ${kid} is current; rotate before retiring`);
    }
    this.#entries.splice(index, 1);
  }

  /** The public keys as a JSON Web Key Set, current key last. Safe to publish. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.#entries.map((entry) => ({ ...entry.publicJwk })) };
  }
}
