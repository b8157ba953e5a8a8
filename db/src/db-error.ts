// The one error class the data layer throws on purpose. Callers (the API's onError) switch on a
// stable `code` and translate once; driver errors (unique or foreign-key violations) are mapped
// here so neither postgres.js nor PGlite error shapes leak past the repositories.

/**
 * Every `code` a DbError can carry, with what it means. Codes are stable: add codes, never rename
 * or repurpose one. Anything unexpected (connection lost, bad SQL) is not a DbError: it surfaces
 * as the driver's error, which the API treats as `internal` / `unavailable`.
 */
export const DB_ERROR_CODES = {
  invalid_argument: 'An argument is out of range or malformed (ids, limits, batch sizes, counts).',
  event_exists: 'An event with this id already exists.',
  event_not_found: 'No event with this id.',
  version_conflict: 'The event changed since it was read: its version is not the expected one.',
  state_conflict: 'The event is not in the state the caller expected to move it from.',
  illegal_transition: 'The event lifecycle does not allow this move.',
  poll_exists: 'A poll with this id already exists.',
  poll_not_found: 'No poll with this id.',
  poll_not_open: 'The poll is closed or cancelled, so it cannot be closed or cancelled again.',
  credential_not_found: 'No API credential with this id.',
} as const satisfies Record<string, string>;

export type DbErrorCode = keyof typeof DB_ERROR_CODES;

/** Facts about the failure for logs and problem bodies (states, versions, ids); never secrets. */
export type DbErrorDetails = Readonly<Record<string, string | number | null>>;

export class DbError extends Error {
  override readonly name = 'DbError';
  readonly code: DbErrorCode;
  readonly details: DbErrorDetails;

  constructor(
    code: DbErrorCode,
    message?: string,
    options: { cause?: unknown; details?: DbErrorDetails } = {},
  ) {
    super(message ?? DB_ERROR_CODES[code], { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isDbError(err: unknown, code?: DbErrorCode): err is DbError {
  return err instanceof DbError && (code === undefined || err.code === code);
}

/** SQLSTATE codes the repositories translate (https://www.postgresql.org/docs/15/errcodes-appendix.html). */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';

/**
 * The SQLSTATE of a driver error, or undefined. postgres.js and PGlite both put it on `code`;
 * drizzle wraps driver errors (DrizzleQueryError) with the original as `cause`, so walk the chain.
 */
export function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return undefined;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
