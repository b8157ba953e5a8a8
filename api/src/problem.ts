// Errors at the HTTP edge as RFC 9457 problem details. Handlers throw `ApiError` with a stable
// code; Hono's `onError` (see app.ts) turns it into one `application/problem+json` body. The code
// table is data so clients can switch on `code` and a test can keep docs in step.

import { isDbError, unstorableValue, type DbErrorCode } from '@fanfare/db';
import { problemBody, type ProblemBody, type ProblemTable } from '@fanfare/protocol';
import { TEXT_ISSUE } from './text-field.js';

/**
 * Every `code` a problem body can carry, with its HTTP status and a human title. Codes are
 * stable: clients switch on them. Add codes; never rename or repurpose one.
 */
export const PROBLEM_CODES = {
  invalid_json: { status: 400, title: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, title: 'The request body does not have the expected shape.' },
  invalid_path: { status: 400, title: 'A parameter in the path is malformed.' },
  invalid_text: {
    status: 400,
    title: 'A text field holds a character the text policy refuses.',
  },
  unauthorized: { status: 401, title: 'Credentials are missing or invalid.' },
  session_expired: {
    status: 401,
    title: 'The fan session is older than its maximum age; join again without the token.',
  },
  webhook_unverified: {
    status: 401,
    title: 'The webhook is unsigned, tampered with, signed with another key or expired.',
  },
  forbidden: { status: 403, title: 'This action is not allowed.' },
  banned: { status: 403, title: 'A moderator banned this user from the event.' },
  not_entitled: { status: 403, title: 'This event is ticketed and the fan holds no ticket.' },
  country_not_allowed: { status: 403, title: 'This event is not open to fans from this country.' },
  not_found: { status: 404, title: 'No such resource.' },
  event_not_found: { status: 404, title: 'No such event.' },
  poll_not_found: { status: 404, title: 'No such poll in this event.' },
  message_not_found: { status: 404, title: 'No such chat message in this event.' },
  credential_not_found: { status: 404, title: 'No such API credential.' },
  event_exists: { status: 409, title: 'An event with this id already exists.' },
  version_conflict: {
    status: 409,
    title: 'The event changed since you read it; re-read and retry.',
  },
  state_conflict: { status: 409, title: 'The event is no longer in the state you moved it from.' },
  illegal_transition: { status: 409, title: 'The event lifecycle does not allow this move.' },
  poll_not_open: { status: 409, title: 'The poll is already closed or cancelled.' },
  poll_active: {
    status: 409,
    title: 'Another poll is open in this event; close it or allow concurrent polls.',
  },
  stream_conflict: {
    status: 409,
    title: 'The demo test pattern feeds this event; it takes no stream key.',
  },
  webrtc_off: { status: 409, title: 'The WebRTC tier (LiveKit) is not configured.' },
  egress_starting: {
    status: 409,
    title: "Another API replica is starting this event's room egress; ask again shortly.",
  },
  event_not_live: { status: 409, title: 'The event is not in a state that allows this.' },
  event_ended: {
    status: 410,
    title: 'The event has ended; fans can no longer join and it takes no stream.',
  },
  payload_too_large: { status: 413, title: 'The request body is too large.' },
  unsupported_media_type: { status: 415, title: 'Send the body as application/json.' },
  rate_limited: { status: 429, title: 'Too many requests; wait as Retry-After says.' },
  internal: { status: 500, title: 'An unexpected server error.' },
  unavailable: { status: 503, title: 'The service cannot take this request now.' },
  overloaded: {
    status: 503,
    title: 'The API is at its join rate (admission control); wait as Retry-After says.',
  },
  livekit_unavailable: { status: 503, title: 'LiveKit refused the call or did not answer.' },
  media_unavailable: {
    status: 503,
    title: 'No media process is configured, or it does not answer.',
  },
  state_unavailable: {
    status: 503,
    title: 'Shared state (bans, votes) is unreachable; nothing was changed.',
  },
} as const satisfies ProblemTable;

export type ProblemCode = keyof typeof PROBLEM_CODES;
export type ProblemStatus = (typeof PROBLEM_CODES)[ProblemCode]['status'];

/** One offending field of an `invalid_body` problem. */
export interface FieldError {
  /** JSON Pointer (as a URI fragment) to the field, `#` for the whole body. */
  pointer: string;
  detail: string;
}

/** The body of an error response: the shared problem fields, then the API's own. */
export interface Problem extends ProblemBody<ProblemCode, ProblemStatus> {
  /** Echo of the `X-Request-Id` response header, to quote in bug reports. */
  requestId: string;
  /** Present on `invalid_body`, `invalid_text` and `invalid_path` only. */
  errors?: FieldError[];
}

export interface ApiErrorOptions {
  cause?: unknown;
  errors?: FieldError[];
  /** Sent as `Retry-After` (seconds) with the problem. */
  retryAfterS?: number;
}

/** An error meant for the client. Its `detail` is sent as is, so it must hold nothing secret. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ProblemCode;
  readonly status: ProblemStatus;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterS: number | undefined;

  constructor(code: ProblemCode, detail?: string, options: ApiErrorOptions = {}) {
    super(detail ?? PROBLEM_CODES[code].title, { cause: options.cause });
    this.code = code;
    this.status = PROBLEM_CODES[code].status;
    this.errors = options.errors;
    this.retryAfterS = options.retryAfterS;
  }
}

/** The problem for a data-layer refusal (DbError codes map onto problem codes of the same name). */
const DB_PROBLEMS: Partial<Record<DbErrorCode, ProblemCode>> = {
  invalid_argument: 'invalid_body',
  event_exists: 'event_exists',
  event_not_found: 'event_not_found',
  version_conflict: 'version_conflict',
  state_conflict: 'state_conflict',
  illegal_transition: 'illegal_transition',
  poll_exists: 'poll_active',
  poll_active: 'poll_active',
  poll_not_found: 'poll_not_found',
  poll_not_open: 'poll_not_open',
  credential_not_found: 'credential_not_found',
  // Decode refuses such values first; this keeps a gap there a 400, not a 500.
  unstorable_value: 'invalid_body',
};

/** An ApiError for a DbError (its detail is the data layer's message: never secrets). */
export function fromDbError(thrown: unknown): unknown {
  const err = unstorableValue(thrown) ?? thrown;
  if (!isDbError(err)) return err;
  const code = DB_PROBLEMS[err.code];
  return code ? new ApiError(code, err.message, { cause: err }) : err;
}

/** Builds the problem body for an error; anything but an ApiError becomes an opaque `internal`. */
export function toProblem(err: unknown, requestId: string): Problem {
  const apiError = err instanceof ApiError ? err : new ApiError('internal');
  const problem: Problem = {
    ...problemBody('problem', PROBLEM_CODES, apiError.code, apiError.message),
    requestId,
  };
  if (apiError.errors) problem.errors = apiError.errors;
  return problem;
}

/** Turns a zod issue path into a JSON Pointer fragment (RFC 6901 escaping). */
export function pointer(path: readonly PropertyKey[]): string {
  return (
    '#' + path.map((key) => '/' + String(key).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
  );
}

/**
 * The error for a body (or query) that failed its schema: `invalid_text` when every issue is a
 * refusal by the text policy (text-field.ts), else `invalid_body`; one FieldError per issue.
 */
export function bodyError(
  issues: readonly {
    path: readonly PropertyKey[];
    message: string;
    params?: Record<string, unknown>;
  }[],
  detail = 'the request body has invalid fields',
): ApiError {
  const text = issues.length > 0 && issues.every((issue) => issue.params?.[TEXT_ISSUE] === true);
  return new ApiError(
    text ? 'invalid_text' : 'invalid_body',
    text ? 'a text field holds a character the text policy refuses' : detail,
    { errors: fieldErrors(issues) },
  );
}

/** One FieldError per zod issue; an issue at the root means the body is not an object. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldError[] {
  return issues.map((issue) => ({
    pointer: pointer(issue.path),
    detail: issue.path.length === 0 ? 'must be a JSON object' : issue.message,
  }));
}
