// The errors a client hands to the app. Each has a stable `code` to branch on; messages are for
// people.

import type { ErrorCode } from '@fanfare/protocol';

/** A request the server (or the client's own check of the same rule) refused, by error code. */
export abstract class RefusedError extends Error {
  readonly code: ErrorCode;
  /** The server's suggested wait, for `retry-after` codes. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A chat message was refused and sending it again will not help: a `fix` or `final` code, or a
 * `retry-after` code that kept coming back after the client's bounded retries.
 */
export class ChatRefusedError extends RefusedError {
  override readonly name = 'ChatRefusedError';
}

/** The client closed (by the app or for good by the server) before a send was acknowledged. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  readonly code = 'client_closed';
  /** The WebSocket close code that ended the client (1000 when the app called `close()`). */
  readonly closeCode: number;

  constructor(closeCode: number, reason: string, options?: { cause?: unknown }) {
    super(`client closed (${closeCode}${reason ? ` ${reason}` : ''})`, options);
    this.closeCode = closeCode;
  }
}

/**
 * The server (or the client's own check of the same rule) refused a vote. Votes are not retried
 * by the client; for a `retry-after` code (`unavailable`) the app may simply vote again: the
 * server counts one vote per fan per poll.
 */
export class VoteRefusedError extends RefusedError {
  override readonly name = 'VoteRefusedError';
}

/**
 * The server (or the client's own check of the same rule) refused a party request: `not_host`,
 * `timeline_conflict` (apply the newest timeline and decide again), `party_full`,
 * `party_not_found`... Party requests are not retried by the client; `unavailable` is also
 * what a request made while the client is not `open` rejects with (nothing was sent).
 */
export class PartyRefusedError extends RefusedError {
  override readonly name = 'PartyRefusedError';
}

/**
 * The connection dropped while a party request was on its way: it may or may not have been
 * applied. After the reconnect the server re-attaches the fan to its party and `client.party.view`
 * (the `party` event) shows the outcome; decide again from it.
 */
export class PartyRequestLostError extends Error {
  override readonly name = 'PartyRequestLostError';
  readonly code = 'request_lost';
}

/**
 * A party request got no answer within PARTY_REQUEST_TIMEOUT_MS (10 s). The server answers every
 * request at once, so the answer was lost on the way (a stalled connection): the request may or
 * may not have been applied. `client.party.view` shows the outcome; decide again from it.
 */
export class PartyRequestTimeoutError extends Error {
  override readonly name = 'PartyRequestTimeoutError';
  readonly code = 'request_timeout';
}
