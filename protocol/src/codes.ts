// Every code a client can meet, as data: error codes (in `error` frames), WebSocket close codes,
// and upgrade refusals (HTTP statuses before the socket opens). docs/protocol.md mirrors these
// tables; protocol/src/codes-doc.test.ts fails when the two drift apart.

/**
 * What a client should do after meeting a code.
 * - `fix`: the request itself is wrong; resending it unchanged fails the same way.
 * - `retry-after`: the same request may succeed later; wait `retryAfterMs` when given.
 * - `reconnect`: open a new connection with jittered exponential backoff, resuming where it left.
 * - `reauth`: get a fresh token, then reconnect.
 * - `final`: do not retry without a human acting (a ban, a closed event).
 */
export type RetryPolicy = 'fix' | 'retry-after' | 'reconnect' | 'reauth' | 'final';

interface CodeInfo {
  readonly retry: RetryPolicy;
  readonly description: string;
}

/** Codes carried by `{"type":"error"}` frames. The connection stays open after every one. */
export const ERROR_CODES = {
  invalid_json: { retry: 'fix', description: 'The text frame is not valid JSON.' },
  invalid_frame: {
    retry: 'fix',
    description: 'The frame is JSON but not an object with the fields its type requires.',
  },
  unknown_type: { retry: 'fix', description: 'The `type` field names no client message.' },
  frame_too_large: {
    retry: 'fix',
    description: 'The frame exceeds the per-frame limit (4 KiB by default) and was ignored.',
  },
  binary_unsupported: { retry: 'fix', description: 'Binary frames are not part of protocol v1.' },
  text_empty: {
    retry: 'fix',
    description: 'The chat text is empty after trimming, or holds only invisible characters.',
  },
  text_too_long: { retry: 'fix', description: 'The chat text exceeds 500 characters.' },
  invalid_text: {
    retry: 'fix',
    description:
      'The text holds a character the text policy refuses (a control character, a bidi override or isolate, a lone surrogate, a noncharacter).',
  },
  rate_limited: {
    retry: 'retry-after',
    description: 'Too many chat messages; `retryAfterMs` says when the next one is accepted.',
  },
  duplicate_message: {
    retry: 'fix',
    description: 'The same text was sent by this fan within the last 30 s.',
  },
  unknown_emoji: { retry: 'fix', description: 'The emoji is not in the fixed reaction set.' },
  reaction_rate_limited: {
    retry: 'retry-after',
    description: 'Too many reaction taps from this fan; extra taps were not counted.',
  },
  timed_out: {
    retry: 'retry-after',
    description:
      'A moderator timed this fan out of chat; `retryAfterMs` says when the timeout ends.',
  },
  slow_mode: {
    retry: 'retry-after',
    description:
      'Slow mode is on: one message per `slowModeS` seconds per fan; `retryAfterMs` says when.',
  },
  chat_restricted: {
    retry: 'fix',
    description: 'Chat is open to ticket holders only in this event (entitled-only chat).',
  },
  blocked_term: {
    retry: 'fix',
    description: 'The message contains a term the moderators blocked; it was not sent.',
  },
  chat_busy: {
    retry: 'retry-after',
    description:
      'The event is at its chat ingest cap; staff and ticket holders go first. Try again after `retryAfterMs`.',
  },
  event_ended: {
    retry: 'final',
    description: 'The event has ended: chat and votes are closed.',
  },
  qoe_out_of_range: {
    retry: 'fix',
    description:
      'A number in a `qoe` beacon is outside its bounds (negative, or beyond the limit docs/protocol.md gives for it); the beacon was not counted.',
  },
  unknown_poll: { retry: 'fix', description: 'No poll with this id is open in this event.' },
  invalid_option: { retry: 'fix', description: "The option is not one of the poll's options." },
  poll_closed: { retry: 'final', description: 'The poll has closed or was cancelled.' },
  already_voted: {
    retry: 'final',
    description: 'This fan already voted for another option in this poll; one vote per fan.',
  },
  party_not_found: { retry: 'fix', description: 'No party with this invite code in this event.' },
  party_full: { retry: 'final', description: 'The party has as many members as it admits.' },
  already_in_party: {
    retry: 'fix',
    description: 'This fan is in a party already; leave it before creating or joining another.',
  },
  not_in_party: { retry: 'fix', description: 'This fan is in no party.' },
  not_host: { retry: 'fix', description: 'Only the party host may do this.' },
  timeline_conflict: {
    retry: 'fix',
    description:
      'The command was based on an old timeline version; apply the newest `party.timeline` and decide again.',
  },
  unavailable: {
    retry: 'retry-after',
    description: 'A dependency is briefly unavailable; the action was not applied.',
  },
  internal: { retry: 'retry-after', description: 'An unexpected server error; nothing applied.' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

interface CloseCodeInfo extends CodeInfo {
  readonly name: string;
}

/**
 * WebSocket close codes the gateway sends. 4000-4499: transient, reconnect with backoff.
 * 4500-4999: final, do not reconnect. 1000 and 1006 are the RFC 6455 codes a client meets.
 */
export const CLOSE_CODES = {
  1000: { name: 'normal', retry: 'final', description: 'The client or server ended the session.' },
  1006: {
    name: 'abnormal',
    retry: 'reconnect',
    description:
      'No close frame: network loss, a crash, the idle timeout, or uWS refusing a frame at the socket layer (text that is not UTF-8, or over the 64 KiB hard limit).',
  },
  4000: {
    name: 'server_restart',
    retry: 'reconnect',
    description: 'The shard is shutting down; reconnect now (with jitter) to another shard.',
  },
  4001: {
    name: 'slow_consumer',
    retry: 'reconnect',
    description: 'The fan fell too far behind the stream; reconnect and resume.',
  },
  4002: {
    name: 'flood',
    retry: 'reconnect',
    description: 'The fan sent frames faster than any client should; reconnect after backoff.',
  },
  4003: {
    name: 'log_restarted',
    retry: 'reconnect',
    description:
      "The event's log started over (a new epoch); reconnect with `since` and `epoch`: the welcome says `lost` and carries the new history.",
  },
  4500: {
    name: 'banned',
    retry: 'final',
    description: 'A moderator banned this fan from the event; every session of theirs ends.',
  },
  4501: {
    name: 'not_entitled',
    retry: 'final',
    description:
      'The event became ticketed and this fan holds no ticket; join again with a ticket (the API answers `not_entitled` without one).',
  },
  4502: {
    name: 'session_limit',
    retry: 'final',
    description:
      'This user opened more sockets than a shard allows at once (5 by default); the oldest is closed. Do not reconnect it: the newer ones stay.',
  },
} as const satisfies Record<number, CloseCodeInfo>;

export type CloseCode = keyof typeof CLOSE_CODES;

/** Close codes by name, for code that sends them. */
export const Close = {
  normal: 1000,
  serverRestart: 4000,
  slowConsumer: 4001,
  flood: 4002,
  logRestarted: 4003,
  banned: 4500,
  notEntitled: 4501,
  sessionLimit: 4502,
} as const satisfies Record<string, CloseCode>;

interface UpgradeRefusalInfo extends CodeInfo {
  readonly status: number;
}

/**
 * Reasons the gateway refuses an upgrade, before the WebSocket exists. The body is JSON
 * `{"error": "<reason>", "message": "..."}` and the `X-Fanfare-Error` header holds the reason.
 */
export const UPGRADE_REFUSALS = {
  invalid_request: {
    status: 400,
    retry: 'fix',
    description:
      'A query parameter is malformed (`since` not an integer >= 0, `epoch` not an epoch, or `epoch` without `since`).',
  },
  token_missing: {
    status: 401,
    retry: 'reauth',
    description: 'No token in `?token=` nor in Sec-WebSocket-Protocol.',
  },
  token_invalid: {
    status: 401,
    retry: 'reauth',
    description: 'Bad signature, algorithm, issuer, audience, kid or claims.',
  },
  token_expired: {
    status: 401,
    retry: 'reauth',
    description: 'The token is expired or not yet valid.',
  },
  ticket_invalid: {
    status: 401,
    retry: 'reauth',
    description:
      'The resume ticket is malformed, its MAC does not match, or its key id is unknown here: connect with the token.',
  },
  ticket_expired: {
    status: 401,
    retry: 'reauth',
    description: 'The resume ticket is past its lifetime: connect with the token.',
  },
  origin_forbidden: {
    status: 403,
    retry: 'final',
    description: 'The Origin header is not on the allow-list.',
  },
  banned: {
    status: 403,
    retry: 'final',
    description: 'A moderator banned this fan from the event.',
  },
  not_entitled: {
    status: 403,
    retry: 'final',
    description: 'The event is ticketed and the token holds no `ticketed` entitlement.',
  },
  version_unsupported: {
    status: 426,
    retry: 'final',
    description: 'None of the offered subprotocol versions is spoken here.',
  },
  not_ready: {
    status: 503,
    retry: 'reconnect',
    description: 'The shard is starting or draining; `Retry-After` says when to try again.',
  },
  overloaded: {
    status: 503,
    retry: 'retry-after',
    description:
      "The shard's connection-rate budget is spent (admission control); nothing was verified. Wait `Retry-After` (already spread by the shard) plus jitter, then try the same shard again.",
  },
} as const satisfies Record<string, UpgradeRefusalInfo>;

export type UpgradeRefusal = keyof typeof UPGRADE_REFUSALS;
