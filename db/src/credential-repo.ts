// API keys for producers, moderators and SREs. A key is 32 random bytes, shown once at creation;
// only its SHA-256 is stored, so a leaked table or backup yields no usable key. A fast hash is
// enough (no bcrypt): the key has 256 bits of entropy, so there is nothing to brute-force, and
// lookup by hash stays one indexed read per request.

import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { DbError, PG_FOREIGN_KEY_VIOLATION, sqlState } from './db-error.js';
import type { Db } from './db-handle.js';
import { apiCredentials, type CredentialRole } from './schema.js';

/** Every key starts with this, so secret scanners and people can tell what it is. */
export const API_KEY_PREFIX = 'ffk_';
const KEY_BYTES = 32;
/** `ffk_` + base64url of 32 bytes (43 characters, no padding). */
const API_KEY_RE = /^ffk_[A-Za-z0-9_-]{43}$/;

/** A credential as the API sees it. The key hash is deliberately not part of it. */
export interface Credential {
  id: string;
  name: string;
  role: CredentialRole;
  /** The one event it may act on; null means every event. */
  eventId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface CreatedCredential {
  credential: Credential;
  /** The plaintext key (`ffk_…`). Returned once, here, and never again: it is not stored. */
  key: string;
}

export interface CredentialRepo {
  /** Issues a new key. `event_not_found` if `eventId` names no event. */
  create(name: string, role: CredentialRole, eventId?: string | null): Promise<CreatedCredential>;
  /** The live credential the key belongs to, or undefined (unknown, malformed or revoked). */
  verify(key: string): Promise<Credential | undefined>;
  /**
   * Revokes a credential; its key stops verifying at once. Revoking twice keeps the first
   * `revokedAt`. `credential_not_found` if the id is unknown.
   */
  revoke(id: string, at?: Date): Promise<Credential>;
  /** Every credential, revoked ones included, oldest first. */
  list(): Promise<Credential[]>;
}

/** SHA-256 of the key, lowercase hex: the only form in which a key is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The columns of a Credential: everything but the hash. */
const credentialColumns = {
  id: apiCredentials.id,
  name: apiCredentials.name,
  role: apiCredentials.role,
  eventId: apiCredentials.eventId,
  createdAt: apiCredentials.createdAt,
  revokedAt: apiCredentials.revokedAt,
};

/** CredentialRepo on either driver. */
export class PgCredentialRepo implements CredentialRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async create(
    name: string,
    role: CredentialRole,
    eventId: string | null = null,
  ): Promise<CreatedCredential> {
    const key = API_KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
    const id = `cred_${randomBytes(12).toString('base64url')}`;
    try {
      const [credential] = await this.#db
        .insert(apiCredentials)
        .values({ id, name, role, eventId, keyHash: hashApiKey(key) })
        .returning(credentialColumns);
      return { credential: credential!, key };
    } catch (err) {
      if (sqlState(err) === PG_FOREIGN_KEY_VIOLATION) {
        throw new DbError('event_not_found', undefined, { cause: err, details: { id: eventId } });
      }
      throw err;
    }
  }

  async verify(key: string): Promise<Credential | undefined> {
    // Anything not shaped like a key cannot match: skip the query (and the hashing).
    if (!API_KEY_RE.test(key)) return undefined;
    const [row] = await this.#db
      .select(credentialColumns)
      .from(apiCredentials)
      .where(and(eq(apiCredentials.keyHash, hashApiKey(key)), isNull(apiCredentials.revokedAt)));
    return row;
  }

  async revoke(id: string, at?: Date): Promise<Credential> {
    // A raw fragment bypasses the column's Date encoding: pass an explicit timestamptz.
    const revokedAt = at ? sql`${at.toISOString()}::timestamptz` : sql`now()`;
    const [row] = await this.#db
      .update(apiCredentials)
      // COALESCE keeps the first revocation time when revoked again.
      .set({ revokedAt: sql`COALESCE(${apiCredentials.revokedAt}, ${revokedAt})` })
      .where(eq(apiCredentials.id, id))
      .returning(credentialColumns);
    if (!row) throw new DbError('credential_not_found', undefined, { details: { id } });
    return row;
  }

  list(): Promise<Credential[]> {
    return this.#db
      .select(credentialColumns)
      .from(apiCredentials)
      .orderBy(asc(apiCredentials.createdAt), asc(apiCredentials.id));
  }
}
