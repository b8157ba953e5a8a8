// Resume tickets (protocol/src/resume-ticket.ts): issued in the welcome (and by the API with a
// join, so a first connection skips the signature too), checked at a later upgrade with one
// HMAC-SHA256 instead of an ES256 signature (about 6 against 63-150 CPU-us here,
// docs/benchmarks.md). Here, not in the gateway, because the API issues them as well. The key is shared by every shard of a cluster, so any shard accepts a
// ticket another issued; keys carry an id, so a new key can sign while the old one still
// verifies (rotation). A ticket binds the user, the event, the role, the name and the
// entitlements of the token it descends from, and never outlives that token's `exp`.
//
// Wire form: `rt1.<kid>.<claims, base64url JSON>.<MAC, base64url>`, the MAC over everything
// before its dot. Contract: `check` accepts exactly what `issue` (under a key it holds) produced
// and has not expired; a ban is the upgrade's business (the room's sanctions), as for a token.

import {
  RESUME_TICKET_FORMAT,
  RESUME_TICKET_MAX_CHARS,
  fanCountry,
  isEventId,
  isRole,
  readEntitlements,
  readPlacement,
  type Placement,
  type ResumeTicketClaims,
  type ResumeTicketGrant,
} from '@fanfare/protocol';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** One MAC key: its id (in every ticket it signs) and at least 32 bytes of secret. */
export interface ResumeTicketKey {
  id: string;
  secret: Buffer;
}

export const TICKET_KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
export const MIN_TICKET_SECRET_BYTES = 32;
const MAC_BYTES = 32;

export type TicketRejection = 'ticket_invalid' | 'ticket_expired';

export class TicketRejectedError extends Error {
  override name = 'TicketRejectedError';
  constructor(
    readonly reason: TicketRejection,
    message: string,
  ) {
    super(message);
  }
}

/** Who a ticket is for: the claims of the token (or ticket) that admitted the session. */
export type TicketSubject = Pick<
  ResumeTicketClaims,
  'sub' | 'evt' | 'role' | 'name' | 'ent' | 'cty'
>;

/** What a checked ticket admits: the claims a token would give, and the token's expiry. */
export type TicketClaims = ResumeTicketClaims;

/**
 * What is wrong with `key`, one sentence per problem (an id outside TICKET_KEY_ID, a secret under
 * MIN_TICKET_SECRET_BYTES); empty when it may sign and verify. The one statement of the rule:
 * the constructor refuses what it finds, RESUME_TICKET_KEYS's schema reports it.
 */
export function ticketKeyProblems(key: ResumeTicketKey): string[] {
  const problems: string[] = [];
  if (!TICKET_KEY_ID.test(key.id)) {
    problems.push(`key id "${key.id}" must be 1-16 of [A-Za-z0-9_-]`);
  }
  if (key.secret.length < MIN_TICKET_SECRET_BYTES) {
    problems.push(`key ${key.id}: the secret must be at least ${MIN_TICKET_SECRET_BYTES} bytes`);
  }
  return problems;
}

/**
 * RESUME_TICKET_KEYS as every process reads it (the shards check and issue, the API issues with
 * a join): `id:base64url-secret` comma-separated; undefined when unset or blank.
 */
export function ticketKeysSchema() {
  return z
    .string()
    .optional()
    .transform((raw, ctx): ResumeTicketKey[] | undefined => {
      if (raw === undefined || raw.trim() === '') return undefined;
      return raw.split(',').map((entry) => {
        const [id = '', secret = ''] = entry.trim().split(':');
        const key = { id, secret: Buffer.from(secret, 'base64url') };
        for (const message of ticketKeyProblems(key)) ctx.addIssue({ code: 'custom', message });
        return key;
      });
    });
}

export class ResumeTickets {
  readonly #signing: ResumeTicketKey;
  readonly #byId: ReadonlyMap<string, Buffer>;
  readonly #ttlS: number;

  /**
   * `keys[0]` signs; every key verifies. Throws a TypeError on an empty list, or listing the
   * ticketKeyProblems of its keys (the API and the shards build one from their config).
   */
  constructor(keys: readonly ResumeTicketKey[], ttlS: number) {
    if (keys.length === 0) throw new TypeError('resume tickets need at least one key');
    const problems = keys.flatMap(ticketKeyProblems);
    if (problems.length > 0) throw new TypeError(`resume ticket ${problems.join('; ')}`);
    this.#signing = keys[0]!;
    this.#byId = new Map(keys.map((k) => [k.id, k.secret]));
    this.#ttlS = ttlS;
  }

  /**
   * A ticket for the session `claims` admitted, valid `ttlS` from `nowMs` but never past the
   * token's expiry (`texp`: the token's `exp`, or the ticket's that admitted the session).
   * Undefined when that expiry leaves no time. `placement`: the API's, for a join's ticket only
   * (a shard's ticket never carries one: ResumeTicketClaims.plc).
   */
  issue(
    claims: TicketSubject,
    texp: number,
    nowMs: number,
    placement?: Placement,
  ): ResumeTicketGrant | undefined {
    const exp = Math.min(Math.floor(nowMs / 1000) + this.#ttlS, texp);
    if (exp * 1000 <= nowMs) return undefined;
    const body: ResumeTicketClaims = {
      sub: claims.sub,
      evt: claims.evt,
      role: claims.role,
      name: claims.name,
      ent: claims.ent,
      ...(claims.cty !== undefined ? { cty: claims.cty } : {}),
      ...(placement !== undefined ? { plc: placement } : {}),
      exp,
      texp,
    };
    const head = `${RESUME_TICKET_FORMAT}.${this.#signing.id}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`;
    return {
      ticket: `${head}.${mac(this.#signing.secret, head).toString('base64url')}`,
      expiresAt: exp * 1000,
    };
  }

  /** The claims of a ticket this cluster issued; throws TicketRejectedError otherwise. */
  check(ticket: string, nowMs: number): TicketClaims {
    if (ticket.length > RESUME_TICKET_MAX_CHARS) throw invalid('ticket is too long');
    const parts = ticket.split('.');
    if (parts.length !== 4 || parts[0] !== RESUME_TICKET_FORMAT) throw invalid('not a ticket');
    const secret = this.#byId.get(parts[1]!);
    if (secret === undefined) throw invalid('ticket key is unknown here (rotated out?)');
    const given = Buffer.from(parts[3]!, 'base64url');
    const expected = mac(secret, `${parts[0]}.${parts[1]}.${parts[2]}`);
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, expected)) {
      throw invalid('ticket MAC does not match');
    }
    // The MAC holds, so this shard's cluster wrote these bytes; the checks below guard against
    // a key shared with an older format, not against the fan.
    let body: Partial<ResumeTicketClaims>;
    try {
      body = JSON.parse(Buffer.from(parts[2]!, 'base64url').toString('utf8')) as typeof body;
    } catch {
      throw invalid('ticket claims are not JSON');
    }
    const { sub, evt, role, name, ent, cty, plc, exp, texp } = body;
    if (
      typeof sub !== 'string' ||
      typeof evt !== 'string' ||
      !isEventId(evt) ||
      !isRole(role) ||
      typeof name !== 'string' ||
      typeof exp !== 'number' ||
      typeof texp !== 'number'
    ) {
      throw invalid('ticket claims are incomplete');
    }
    if (exp * 1000 <= nowMs) throw new TicketRejectedError('ticket_expired', 'ticket is expired');
    const claims: TicketClaims = { sub, evt, role, name, ent: readEntitlements(ent), exp, texp };
    const country = fanCountry(cty);
    if (country !== undefined) claims.cty = country;
    const placement = readPlacement(plc);
    if (placement !== undefined) claims.plc = placement;
    return claims;
  }
}

function mac(secret: Buffer, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

function invalid(message: string): TicketRejectedError {
  return new TicketRejectedError('ticket_invalid', message);
}
