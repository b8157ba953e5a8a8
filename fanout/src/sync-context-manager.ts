// A context manager that carries the active OpenTelemetry context through synchronous calls
// only: `context.with(ctx, fn)` makes `ctx` active while `fn` runs, up to its first `await`.
// The shards use it instead of the SDK's AsyncLocalStorage one, which on Node 20 installs
// promise hooks that every promise in the process pays for while tracing is on (measured in
// docs/benchmarks.md). The shard's spans name their parents explicitly (connect-trace.ts,
// event-log-trace.ts), so nothing there needs the context to survive an `await`; what is lost is
// the trace id on log lines written after one.

import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

export class SyncContextManager implements ContextManager {
  #stack: Context[] = [];

  active(): Context {
    const stack = this.#stack;
    return stack.length === 0 ? ROOT_CONTEXT : stack[stack.length - 1]!;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.#stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.with(ctx, fn, undefined, ...args)) as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.#stack = [];
    return this;
  }
}
