// What a fan shows at the upgrade to say who it is: a token the API signed (ES256, checked with
// the API's public key), or a resume ticket a shard of this cluster issued in an earlier welcome
// (checked with one HMAC). Both end as the same claims; the ticket is also what the next
// welcome's ticket descends from, so a chain of tickets never outlives the first token.

import { RESUME_TICKET_PARAM } from '@fanfare/protocol';
import { TicketRejectedError, type ResumeTickets } from '@fanfare/fanout';
import { TokenRejectedError, type TokenVerifier, type VerifiedClaims } from './token-verifier.js';

export type FanCredential = { kind: 'token'; token: string } | { kind: 'ticket'; ticket: string };

/** A ticket when `?ticket=` is given, else the token (`?token=` or the bearer subprotocol). */
export function readCredential(
  params: URLSearchParams,
  bearer: string | undefined,
): FanCredential | undefined {
  const ticket = params.get(RESUME_TICKET_PARAM);
  if (ticket) return { kind: 'ticket', ticket };
  const token = params.get('token') ?? bearer;
  return token ? { kind: 'token', token } : undefined;
}

/** Verified claims, and the expiry (seconds) of the token they descend from. */
export interface Admitted {
  claims: VerifiedClaims;
  tokenExp: number;
}

/**
 * Checks a credential; rejects with TokenRejectedError or TicketRejectedError (both carry a
 * documented refusal `reason`). A ticket on a shard with no ticket keys is `ticket_invalid`.
 */
export async function verifyCredential(
  credential: FanCredential,
  verifier: TokenVerifier,
  tickets: ResumeTickets | undefined,
  nowMs: number,
): Promise<Admitted> {
  if (credential.kind === 'token') {
    const claims = await verifier.verify(credential.token);
    return { claims, tokenExp: claims.exp };
  }
  if (tickets === undefined) {
    throw new TicketRejectedError('ticket_invalid', 'this shard accepts no resume tickets');
  }
  const { texp, ...claims } = tickets.check(credential.ticket, nowMs);
  return { claims, tokenExp: texp };
}

/** Whether `err` is a credential refusal (then its `reason` is an upgrade refusal). */
export function isCredentialRejection(
  err: unknown,
): err is TokenRejectedError | TicketRejectedError {
  return err instanceof TokenRejectedError || err instanceof TicketRejectedError;
}
