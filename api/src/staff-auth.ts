// Who may call a control route. A caller shows `Authorization: Bearer <credential>`: either a
// staff token (a JWT for audience API_AUDIENCE, verified locally with the API's keys) or an API
// key (`ffk_…`, looked up by its SHA-256 in Postgres: only the hash is stored). Both name a role
// and, optionally, the one event they may act on. `requireStaff` checks the role and the event
// scope against the `:id` path parameter; the caller lands in `c.var.staff`.

import { createMiddleware } from 'hono/factory';
import { API_KEY_PREFIX, type CredentialRepo } from '@fanfare/db';
import { ApiError } from './problem.js';
import type { TokenIssuer } from './token-issuer.js';

/**
 * Staff roles. `producer` runs events and polls and moderates; `moderator` moderates chat;
 * `sre` manages API credentials and capacity and may read every event. See docs/api.md.
 */
export const STAFF_ROLES = ['moderator', 'producer', 'sre'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

/** An authenticated caller of the control API. */
export interface Staff {
  /** The token's subject, or the API credential's id. Recorded in the audit log. */
  id: string;
  role: StaffRole;
  name: string;
  /** The one event this caller may act on; absent: every event. */
  evt?: string;
  via: 'token' | 'api_key';
}

/** The seam between routes and credentials: resolves a bearer credential to a caller. */
export interface StaffAuthenticator {
  /** The caller, or undefined when the credential is not valid (unknown, expired, revoked). */
  authenticate(credential: string): Promise<Staff | undefined>;
}

/** Staff tokens signed by this API, and API keys from the credential table. */
export class StaffCredentials implements StaffAuthenticator {
  #issuer: TokenIssuer;
  #keys: CredentialRepo | undefined;

  /** Without `keys`, only staff tokens are accepted. */
  constructor(issuer: TokenIssuer, keys?: CredentialRepo) {
    this.#issuer = issuer;
    this.#keys = keys;
  }

  async authenticate(credential: string): Promise<Staff | undefined> {
    if (credential.startsWith(API_KEY_PREFIX)) {
      const key = await this.#keys?.verify(credential);
      if (!key) return undefined;
      const staff: Staff = { id: key.id, role: key.role, name: key.name, via: 'api_key' };
      if (key.eventId !== null) staff.evt = key.eventId;
      return staff;
    }
    const claims = await this.#issuer.verifyStaffToken(credential);
    if (!claims) return undefined;
    const staff: Staff = { id: claims.sub, role: claims.role, name: claims.name, via: 'token' };
    if (claims.evt !== undefined) staff.evt = claims.evt;
    return staff;
  }
}

export type StaffVariables = { staff: Staff };

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  return match?.[1];
}

/**
 * Requires a staff credential with one of `roles`. A credential scoped to one event (`evt`) is
 * refused for any other event named by the `:id` path parameter, and for routes without one,
 * unless `scope` is `'caller'`: a route about the caller itself (`GET /v1/me`), which acts on no
 * event.
 */
export function requireStaff(
  auth: StaffAuthenticator,
  roles: readonly StaffRole[],
  scope: 'event' | 'caller' = 'event',
) {
  return createMiddleware<{ Variables: StaffVariables }>(async (c, next) => {
    const credential = bearerToken(c.req.header('authorization'));
    if (credential === undefined) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        'unauthorized',
        'send a staff credential as `Authorization: Bearer <token>`',
      );
    }
    const staff = await auth.authenticate(credential);
    if (!staff) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new ApiError('unauthorized', 'the bearer credential is not a valid staff credential');
    }
    if (!roles.includes(staff.role)) {
      throw new ApiError('forbidden', `this action needs one of the roles: ${roles.join(', ')}`);
    }
    if (scope === 'event' && staff.evt !== undefined && staff.evt !== c.req.param('id')) {
      throw new ApiError('forbidden', 'this credential is scoped to another event');
    }
    c.set('staff', staff);
    await next();
  });
}
