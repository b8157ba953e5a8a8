// Database spans (OpenTelemetry): every repository call, and every transaction, made while a span
// is active (an API request, a traced job) is a CLIENT span `db <repo>.<method>`, a child of that
// span, with `db.system` `postgresql` (PGlite is Postgres too), `db.operation.name` (the method)
// and `db.query.summary` (`<repo>.<method>`: the statement's name, not its text, so no parameter
// reaches a trace). Calls outside any span (background loops with no trace) open none, and
// without a tracing SDK there is never an active span: one `getActiveSpan()` per call is all it
// costs. Wired once, in `repositories()` (database.ts), so no repository knows about it.

import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

export const DB_TRACER_NAME = '@fanfare/db';
/** `db.system` of every span: postgres.js and PGlite both speak to Postgres. */
export const DB_SYSTEM = 'postgresql';

/** Whether `value` settles later: a Promise, or a thenable such as drizzle's lazy queries. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs `work` in a span named for `summary` when a span is active; else just runs it. The span
 * ends when the result settles (a Promise or any thenable: drizzle's query builders, which some
 * repository methods return, are not Promises and run only when awaited), marked as an error
 * if `work` throws or its result rejects. A thenable comes back as what its `then` returns.
 */
export function dbSpan<T>(summary: string, operation: string, work: () => T): T {
  if (trace.getActiveSpan() === undefined) return work();
  return trace.getTracer(DB_TRACER_NAME).startActiveSpan(
    `db ${summary}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system': DB_SYSTEM,
        'db.system.name': DB_SYSTEM,
        'db.operation.name': operation,
        'db.query.summary': summary,
      },
    },
    (span) => {
      const failed = (err: unknown): never => {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw err;
      };
      let result: T;
      try {
        result = work();
      } catch (err) {
        return failed(err);
      }
      if (!isThenable(result)) {
        span.end();
        return result;
      }
      // Called here, inside the span's context: a lazy query starts as its child.
      return result.then((value) => {
        span.end();
        return value;
      }, failed) as T;
    },
  );
}

/**
 * `repo` with each method call in a `db <name>.<method>` span (dbSpan). The methods run on the
 * repository itself (its private fields intact); the wrappers are made once per method.
 */
export function tracedRepo<T extends object>(repo: T, name: string): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repo, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'constructor') {
        return value;
      }
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        const summary = `${name}.${prop}`;
        fn = (...args: unknown[]) => dbSpan(summary, prop, () => method.apply(target, args));
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
