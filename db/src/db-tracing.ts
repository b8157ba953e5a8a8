// Database spans (OpenTelemetry): every repository call, and every transaction, made while a span
// is active (an API request, a traced job) is a CLIENT span `db <repo>.<method>`, a child of that
// span, with `db.system` `postgresql` (PGlite is Postgres too), `db.operation.name` (the method)
// and `db.query.summary` (`<repo>.<method>`: the statement's name, not its text, so no parameter
// reaches a trace). Calls outside any span (background loops with no trace) open none, and
// without a tracing SDK there is never an active span: one `getActiveSpan()` per call is all it
// costs. Wired once, in `repositories()` (database.ts), so no repository knows about it.

import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

export const DB_TRACER_NAME = '@fanfare/db';
/** `db.system` of every span: postgres.js and PGlite both speak to Postgres. */
export const DB_SYSTEM = 'postgresql';

function ended<T>(span: Span, result: T): T {
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** Runs `work` in a span named for `summary` when a span is active; else just runs it. */
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
      try {
        return ended(span, work());
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw err;
      }
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
