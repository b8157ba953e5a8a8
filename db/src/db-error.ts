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
  poll_active: 'Another poll of the event that does not allow others beside it is open.',
  unstorable_value:
    'The database refused a value it cannot hold (U+0000 in text, a number out of range).',
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

/**
 * The name of the constraint a driver error names, or undefined: postgres.js puts it on
 * `constraint_name`, PGlite on `constraint`; drizzle wraps either as `cause`.
 */
export function constraintName(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return undefined;
    const { constraint_name: a, constraint: b } = e as {
      constraint_name?: unknown;
      constraint?: unknown;
    };
    if (typeof a === 'string') return a;
    if (typeof b === 'string') return b;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** SQLSTATE class 22, "data exception": a value the column cannot hold (e.g. 22021, U+0000). */
export const PG_DATA_EXCEPTION_CLASS = '22';

/**
 * A DbError `unstorable_value` for a driver error of class 22, else undefined. Its message names
 * the SQLSTATE only: the driver's wrapped error quotes the query's parameters (chat text, names),
 * which must not reach logs or clients.
 */
export function unstorableValue(err: unknown): DbError | undefined {
  const state = sqlState(err);
  if (state === undefined || !state.startsWith(PG_DATA_EXCEPTION_CLASS)) return undefined;
  return new DbError('unstorable_value', `the database refused a value (SQLSTATE ${state})`, {
    details: { sqlState: state },
  });
}

/** What a log line may say about a data-layer failure. */
export interface DbFailureSummary {
  name: string;
  /** The DbError code or the SQLSTATE, when there is one. */
  code: string | undefined;
  message: string;
}

/**
 * A failure as a log line may carry it: the DbError as is, or a driver error reduced to its
 * innermost message and SQLSTATE. drizzle's wrapper quotes the query's parameters (chat text,
 * user ids, names) in its message, so it is never logged whole.
 */
export function describeDbFailure(err: unknown): DbFailureSummary {
  if (err instanceof DbError) return { name: err.name, code: err.code, message: err.message };
  let inner: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (inner as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    inner = cause;
  }
  const name = err instanceof Error ? err.name : typeof err;
  const message = inner instanceof Error ? inner.message : String(inner);
  // A wrapper with no cause to stand in for it still quotes the parameters.
  const quotesParams = message.startsWith('Failed query:');
  return { name, code: sqlState(err), message: quotesParams ? 'query failed' : message };
}
