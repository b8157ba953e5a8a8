// Where each connection attempt's gateway URL and token come from: either a join call (the API
// picks a live shard and keeps the fan's identity from its previous token), or a fixed URL with
// a token or token provider. Kept apart from the client's state machine, which only asks "what
// do I connect to now?".

import { tokenNeedsRefresh } from './token.js';

/** What the API's join call grants: a token and the shard to use it on. */
export interface JoinGrant {
  token: string;
  gatewayUrl: string;
}

export type JoinFn = (previousToken: string | undefined) => Promise<JoinGrant>;

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

  /** Makes the next attempt fetch a fresh token. */
  invalidate(): void {
    this.#stale = true;
  }

  /**
   * The URL and token for the next connection attempt. A join runs every time; a token
   * provider runs when there is no token yet, after `invalidate`, or within 30 s of `exp`.
   */
  async next(): Promise<{ url: string; token: string }> {
    if (this.#join) {
      const grant = await this.#join(this.#token);
      checkUrl(grant.gatewayUrl);
      this.#token = grant.token;
      return { url: grant.gatewayUrl, token: grant.token };
    }
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
