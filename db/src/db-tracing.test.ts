// dbSpan's contract with a recording tracer of the test's own (the db package depends on the
// OpenTelemetry API only): a span per call inside an active span, none outside, ended when the
// result settles (Promises and drizzle-like lazy thenables alike), marked an error when the work
// throws or rejects, and the result or error passed through unchanged.

import {
  ROOT_CONTEXT,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type ContextManager,
  type Span,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { dbSpan, tracedRepo } from './db-tracing.js';

interface Recorded {
  name: string;
  status: SpanStatus | undefined;
  ended: boolean;
}
const spans: Recorded[] = [];

/** Context for synchronous calls only: enough for dbSpan, which reads it before any await. */
class StackContextManager implements ContextManager {
  #current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.#current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const before = this.#current;
    this.#current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#current = before;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

function recordingSpan(name: string): Span {
  const rec: Recorded = { name, status: undefined, ended: false };
  spans.push(rec);
  const span = trace.wrapSpanContext({
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceFlags: 1,
  });
  span.setStatus = (status) => {
    rec.status = status;
    return span;
  };
  span.end = () => {
    rec.ended = true;
  };
  return span;
}

const tracer = {
  startSpan: (name: string) => recordingSpan(name),
  startActiveSpan: (name: string, _options: unknown, fn: (span: Span) => unknown) => {
    const span = recordingSpan(name);
    return context.with(trace.setSpan(context.active(), span), () => fn(span));
  },
} as unknown as Tracer;
const provider: TracerProvider = { getTracer: () => tracer };

/** Runs `f` inside an active span, as a traced request does. */
function inRequest<T>(f: () => T): T {
  const request = trace.wrapSpanContext({
    traceId: 'c'.repeat(32),
    spanId: 'd'.repeat(16),
    traceFlags: 1,
  });
  return context.with(trace.setSpan(ROOT_CONTEXT, request), f);
}

/** Like drizzle's query builders: a thenable, not a Promise, that runs only when awaited. */
function lazyQuery<T>(run: () => Promise<T>): PromiseLike<T> & { ran: () => boolean } {
  let ran = false;
  return {
    then(onFulfilled, onRejected) {
      ran = true;
      return run().then(onFulfilled, onRejected);
    },
    ran: () => ran,
  };
}

beforeAll(() => {
  context.setGlobalContextManager(new StackContextManager());
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  trace.disable();
  context.disable();
});
beforeEach(() => {
  spans.length = 0;
});

const ERROR = { code: SpanStatusCode.ERROR };

describe('dbSpan', () => {
  it('opens no span outside an active one', () => {
    expect(dbSpan('events.get', 'get', () => 7)).toBe(7);
    expect(spans).toEqual([]);
  });

  it('ends the span of a synchronous result at once, unmarked', () => {
    expect(inRequest(() => dbSpan('events.get', 'get', () => 7))).toBe(7);
    expect(spans).toEqual([{ name: 'db events.get', status: undefined, ended: true }]);
  });

  it('marks the span an error when the work throws, and rethrows', () => {
    const boom = new Error('boom');
    expect(() =>
      inRequest(() =>
        dbSpan('events.get', 'get', () => {
          throw boom;
        }),
      ),
    ).toThrow(boom);
    expect(spans).toEqual([{ name: 'db events.get', status: ERROR, ended: true }]);
  });

  it('ends a Promise’s span when it settles, marked an error when it rejects', async () => {
    let resolve!: (n: number) => void;
    const pending = inRequest(() =>
      dbSpan('events.get', 'get', () => new Promise<number>((r) => (resolve = r))),
    );
    expect(spans[0]!.ended).toBe(false);
    resolve(3);
    await expect(pending).resolves.toBe(3);
    expect(spans[0]).toEqual({ name: 'db events.get', status: undefined, ended: true });

    const boom = new Error('boom');
    await expect(
      inRequest(() => dbSpan('events.create', 'create', () => Promise.reject(boom))),
    ).rejects.toBe(boom);
    expect(spans[1]).toEqual({ name: 'db events.create', status: ERROR, ended: true });
  });

  it('runs a lazy thenable (a drizzle query) inside its span and ends it when it settles', async () => {
    let resolve!: (rows: string[]) => void;
    const query = lazyQuery(() => new Promise<string[]>((r) => (resolve = r)));
    const pending = inRequest(() => dbSpan('polls.listOpen', 'listOpen', () => query));
    expect(query.ran()).toBe(true);
    expect(spans[0]!.ended).toBe(false);
    resolve(['p1']);
    await expect(pending).resolves.toEqual(['p1']);
    expect(spans[0]).toEqual({ name: 'db polls.listOpen', status: undefined, ended: true });

    const boom = new Error('boom');
    const failing = lazyQuery<string[]>(() => Promise.reject(boom));
    await expect(inRequest(() => dbSpan('polls.listOpen', 'listOpen', () => failing))).rejects.toBe(
      boom,
    );
    expect(spans[1]).toEqual({ name: 'db polls.listOpen', status: ERROR, ended: true });
  });
});

describe('tracedRepo', () => {
  it('wraps each method in a span named for the repository and the method, on the repository itself', async () => {
    class Repo {
      readonly #rows = ['a'];
      list(): Promise<string[]> {
        return Promise.resolve(this.#rows);
      }
    }
    const repo = tracedRepo(new Repo(), 'things');
    await expect(inRequest(() => repo.list())).resolves.toEqual(['a']);
    expect(repo.list).toBe(repo.list);
    expect(spans).toEqual([{ name: 'db things.list', status: undefined, ended: true }]);
  });
});

describe('database spans on a real repository (PGlite)', () => {
  it('keeps a drizzle query’s span open until its rows arrive', async () => {
    const db = await openDatabase({ pglite: 'memory' });
    try {
      // PgPollRepo.listOpen returns drizzle's builder as it is, not a Promise.
      const pending = inRequest(() => db.polls.listOpen());
      expect(spans).toMatchObject([{ name: 'db polls.listOpen', ended: false }]);
      await expect(pending).resolves.toEqual([]);
      expect(spans).toEqual([{ name: 'db polls.listOpen', status: undefined, ended: true }]);
    } finally {
      await db.close();
    }
  });
});
