// Where each connection attempt's gateway URL and token come from: either a join call (the API
// picks a live shard and keeps the fan's identity from its previous token), or a fixed URL with
// a token or token provider; and, after a drop, the resume ticket the last welcome granted (one
// MAC check on the shard instead of a signature, no join call), on its own shard and then on the
// fallback shard the grant named. Kept apart from the client's state machine, which only asks
// "what do I connect to now?" (and "is the next attempt a fallback's, made at once?").

import { RESUME_TICKET_PARAM, fallbackOf, type ResumeTicketGrant } from '@fanfare/protocol';
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
  /**
   * Set while an attempt with the held ticket on its own shard is under way and that grant named
   * a fallback: the same ticket on that shard, for the next attempt if this one ends before its
   * welcome and the shard did not answer with 503.
   */
  #fallback: { ticket: string; expiresAt: number; url: string } | undefined;
  /** The last attempt was a fallback's: a 503 from it proves that shard alive, not the first. */
  #onFallback = false;
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
    this.#fallback = undefined;
  }

  /**
   * Whether the next attempt is a fallback's (the held ticket's own shard could not be reached a
   * moment ago). The client makes it at once, not after its backoff: it is a second address for
   * the same attempt, as a resolver's next address is, and the fans of a killed shard were
   * already spread by the backoff before their first attempt.
   */
  get fallbackNext(): boolean {
    const fallback = this.#fallback;
    return fallback !== undefined && this.#fresh(fallback.expiresAt);
  }

  /**
   * A resume ticket for the next attempt, on the same shard: a welcome's, or a renewal (`ticket`
   * frame) during the session; the newest replaces any held, its `fallbackUrl` (or the lack of
   * one) included.
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
    this.#fallback = undefined;
    if (grant) this.ticketGranted(grant);
  }

  /**
   * The last attempt's shard answered, though with no welcome (it refused the upgrade with 503):
   * it is reachable, so the next join does not name it as unreachable, and a held ticket's
   * fallback is not tried (its own shard is alive; the next attempt is the join or token, as
   * after any 503). A 503 from the fallback shard leaves the first shard named.
   */
  answered(): void {
    this.#fallback = undefined;
    if (!this.#onFallback) this.#unwelcomedUrl = undefined;
  }

  #fresh(expiresAt: number): boolean {
    return this.#now() < expiresAt - TICKET_EXPIRY_MARGIN_MS;
  }

  /**
   * What the next connection attempt uses. A resume ticket first, when the last welcome granted
   * one that is not about to expire, on the shard that granted it. If that attempt ends before
   * its welcome (and not with a 503: see `answered`) and the grant named a usable fallback shard
   * (`fallbackOf`), the same ticket on that shard next, unless it is about to expire by then.
   * Each for one attempt only: a browser cannot tell a refused ticket from a dropped
   * connection, so an attempt that ends before its welcome, for whatever reason, moves on; a
   * ticket refused everywhere (a ban, a rotated-out key) thus costs one attempt more when its
   * grant named a fallback. Otherwise a join runs every time, and its
   * ticket, when it grants one, is used for that attempt (unless a join's ticket already failed
   * to reach a welcome: then its token); a token
   * provider runs when there is no token yet, after `invalidate`, or within 30 s of `exp`.
   * A join right after an attempt that ended before its welcome (and not refused by the shard)
   * names that attempt's URL as `unreachable`: a shard killed a moment ago is still in the
   * registry. After a fallback attempt that also failed, it names the first shard's URL, the
   * ticket's own, whose loss started it all (a join names one URL). Only that one join call
   * names it, so a lone shard that comes back is not shunned.
   */
  async next(): Promise<Attempt> {
    const unreachable = this.#unwelcomedUrl;
    this.#unwelcomedUrl = undefined;
    this.#onFallback = false;
    // A join's ticket that did not lead to a welcome (keys that differ between the API and the
    // shards, say): from now on a join's token is used, as after a refused resume ticket.
    if (this.#joinTicketPending) this.#joinTicketsOff = true;
    this.#joinTicketPending = false;
    const fallback = this.#fallback;
    this.#fallback = undefined;
    if (fallback && this.#fresh(fallback.expiresAt)) {
      // The session that follows is on the fallback shard: its grants are used there.
      this.#lastUrl = fallback.url;
      this.#onFallback = true;
      this.#unwelcomedUrl = unreachable;
      return { url: fallback.url, ticket: fallback.ticket };
    }
    const held = this.#ticket;
    this.#ticket = undefined;
    if (held && this.#fresh(held.grant.expiresAt)) {
      const { ticket, expiresAt } = held.grant;
      const url = fallbackOf(held.grant, held.url);
      if (url !== undefined) this.#fallback = { ticket, expiresAt, url };
      this.#unwelcomedUrl = held.url;
      return { url: held.url, ticket };
    }
    if (this.#join) {
      const grant = await this.#join(this.#token, unreachable);
      checkUrl(grant.gatewayUrl);
      this.#token = grant.token;
      this.#lastUrl = grant.gatewayUrl;
      this.#unwelcomedUrl = grant.gatewayUrl;
      // A join's ticket is used on the join's shard only: a failure there goes to the next join.
      const ticket = grant.resumeTicket;
      if (ticket && !this.#joinTicketsOff && this.#fresh(ticket.expiresAt)) {
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
