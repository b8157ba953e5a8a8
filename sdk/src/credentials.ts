// Where each connection attempt's gateway URL and token come from: either a join call (the API
// picks a live shard and keeps the fan's identity from its previous token), or a fixed URL with
// a token or token provider; and, after a drop, the resume ticket the last welcome granted (one
// MAC check on the shard instead of a signature, no join call). Kept apart from the client's
// state machine, which only asks "what do I connect to now?".

import { RESUME_TICKET_PARAM, type ResumeTicketGrant } from '@fanfare/protocol';
import { tokenNeedsRefresh } from './token.js';

/** A ticket this close to its expiry is not tried (clocks differ), ms. */
export const TICKET_EXPIRY_MARGIN_MS = 10_000;

/** What one attempt connects with: the gateway URL and a token, or a resume ticket. */
export type Attempt = { url: string; token: string } | { url: string; ticket: string };

/** The query parameter and value an attempt's credential rides in. */
export function credentialParam(attempt: Attempt): [name: string, value: string] {
  return 'ticket' in attempt ? [RESUME_TICKET_PARAM, attempt.ticket] : ['token', attempt.token];
}

/**
 * What the API's join call grants: a token and the shard to use it on, and (when the API holds
 * the shards' ticket keys) a resume ticket for the first connection: one HMAC on the shard
 * instead of the token's signature.
 */
export interface JoinGrant {
  token: string;
  gatewayUrl: string;
  resumeTicket?: ResumeTicketGrant | undefined;
}

/**
 * One join call. `unreachable`: the gateway URL of the attempt before it, when that attempt's
 * connection failed before a welcome (refused, or closed without one); the API then places the
 * fan on another shard (the join body's `unreachable`, docs/api.md).
 */
export type JoinFn = (
  previousToken: string | undefined,
  unreachable?: string,
) => Promise<JoinGrant>;

export interface CredentialOptions {
  join?: JoinFn | undefined;
  url?: string | undefined;
  token?: string | (() => Promise<string>) | undefined;
}

function checkUrl(raw: string): void {
  const url = new URL(raw);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`url must be ws: or wss:, got ${url.protocol}`);
  }
}

export class Credentials {
  #join: JoinFn | undefined;
  #url = '';
  #tokenSource: string | (() => Promise<string>) = '';
  #token: string | undefined;
  #stale = false;
  #now: () => number;
  /** The URL of the last attempt made with a token or from a join: where a ticket is used. */
  #lastUrl = '';
  #ticket: { grant: ResumeTicketGrant; url: string } | undefined;
  /** The last attempt used a join's ticket and no welcome has come since. */
  #joinTicketPending = false;
  /** Such an attempt ended before its welcome: joins' tickets are not used again. */
  #joinTicketsOff = false;
  /** The URL of the last attempt while no welcome (nor an upgrade refusal) has come since. */
  #unwelcomedUrl: string | undefined;

  /** Throws TypeError unless given `join`, or both `url` (ws: or wss:) and `token`. */
  constructor(options: CredentialOptions, now: () => number) {
    this.#now = now;
    if (options.join) {
      this.#join = options.join;
      return;
    }
    if (options.url === undefined || options.token === undefined) {
      throw new TypeError('pass `join`, or both `url` and `token`');
    }
    checkUrl(options.url);
    this.#url = options.url;
    this.#tokenSource = options.token;
  }

  /** Whether a fresh token can be had (a join call or a token provider) after a `reauth` close. */
  get renewable(): boolean {
    return this.#join !== undefined || typeof this.#tokenSource === 'function';
  }

  /** Makes the next attempt fetch a fresh token (and forget any ticket). */
  invalidate(): void {
    this.#stale = true;
    this.#ticket = undefined;
  }

  /**
   * A resume ticket for the next attempt, on the same shard: a welcome's, or a renewal (`ticket`
   * frame) during the session; the newest replaces any held.
   */
  ticketGranted(grant: ResumeTicketGrant): void {
    this.#ticket = { grant, url: this.#lastUrl };
  }

  /**
   * A welcome came: the attempt that led to it, a join's ticket included, worked; its resume
   * ticket, when it carries one, is for the next attempt.
   */
  welcomed(grant?: ResumeTicketGrant): void {
    this.#joinTicketPending = false;
    this.#unwelcomedUrl = undefined;
    if (grant) this.ticketGranted(grant);
  }

  /**
   * The last attempt's shard answered, though with no welcome (it refused the upgrade with 503):
   * it is reachable, so the next join does not name it as unreachable.
   */
  answered(): void {
    this.#unwelcomedUrl = undefined;
  }

  /**
   * What the next connection attempt uses. A resume ticket first, when the last welcome granted
   * one that is not about to expire, for one attempt only: a browser cannot tell a refused
   * ticket from a dropped connection, so an attempt that ends before its welcome, for whatever
   * reason, makes the next one use the token. Otherwise a join runs every time, and its
   * ticket, when it grants one, is used for that attempt (unless a join's ticket already failed
   * to reach a welcome: then its token); a token
   * provider runs when there is no token yet, after `invalidate`, or within 30 s of `exp`.
   * A join right after an attempt that ended before its welcome (and not refused by the shard)
   * names that attempt's URL as `unreachable`: a shard killed a moment ago is still in the
   * registry. Only that one join call names it, so a lone shard that comes back is not shunned.
   */
  async next(): Promise<Attempt> {
    const unreachable = this.#unwelcomedUrl;
    this.#unwelcomedUrl = undefined;
    // A join's ticket that did not lead to a welcome (keys that differ between the API and the
    // shards, say): from now on a join's token is used, as after a refused resume ticket.
    if (this.#joinTicketPending) this.#joinTicketsOff = true;
    this.#joinTicketPending = false;
    const held = this.#ticket;
    this.#ticket = undefined;
    if (held && this.#now() < held.grant.expiresAt - TICKET_EXPIRY_MARGIN_MS) {
      this.#unwelcomedUrl = held.url;
      return { url: held.url, ticket: held.grant.ticket };
    }
    if (this.#join) {
      const grant = await this.#join(this.#token, unreachable);
      checkUrl(grant.gatewayUrl);
      this.#token = grant.token;
      this.#lastUrl = grant.gatewayUrl;
      this.#unwelcomedUrl = grant.gatewayUrl;
      const ticket = grant.resumeTicket;
      if (
        ticket &&
        !this.#joinTicketsOff &&
        this.#now() < ticket.expiresAt - TICKET_EXPIRY_MARGIN_MS
      ) {
        this.#joinTicketPending = true;
        return { url: grant.gatewayUrl, ticket: ticket.ticket };
      }
      return { url: grant.gatewayUrl, token: grant.token };
    }
    this.#lastUrl = this.#url;
    const source = this.#tokenSource;
    if (typeof source === 'string') return { url: this.#url, token: source };
    const cached = this.#token;
    if (cached === undefined || this.#stale || tokenNeedsRefresh(cached, this.#now())) {
      this.#token = await source();
      this.#stale = false;
    }
    return { url: this.#url, token: this.#token! };
  }
}
