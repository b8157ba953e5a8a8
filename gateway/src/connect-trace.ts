// The spans of a fan's connection on a shard, only when the shard traces (OTEL_EXPORTER_OTLP_
// ENDPOINT set; the gateway then holds a ConnectTraces, otherwise none and no step below runs).
// `ws upgrade` (SERVER) spans from the token check to the welcome, continuing the trace the
// upgrade names: a `traceparent` header (a Node client, a tracing proxy), else the `traceparent`
// query parameter the API's join put in the gateway URL (protocol's trace-context.ts), so one
// join is one trace across the API and the shard. Its children: `token.verify`, `room.acquire`,
// and `welcome` (subscribing the socket and sending the snapshot). Refused upgrades end it with
// `fanfare.upgrade.refusal`. Upgrades refused before any work (admission, origin, subprotocol, no
// credential) get no span: under a storm those refusals must stay as cheap as possible.

import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { contextFromTraceparent } from '@fanfare/fanout';
import type { UpgradeRefusal } from '@fanfare/protocol';

export const UPGRADE_SPAN = 'ws upgrade';

/** One connection's upgrade span and its context. */
export class ConnectTrace {
  readonly #tracer: Tracer;
  readonly #span: Span;
  readonly #ctx: Context;
  #ended = false;

  constructor(tracer: Tracer, traceparent: string, tracestate: string) {
    this.#tracer = tracer;
    const parent =
      traceparent === '' ? context.active() : contextFromTraceparent(traceparent, tracestate);
    this.#span = tracer.startSpan(UPGRADE_SPAN, { kind: SpanKind.SERVER }, parent);
    this.#ctx = trace.setSpan(parent, this.#span);
  }

  /** The upgrade span's ids, for log lines written after an `await` (the shard's context is sync). */
  logFields(): { traceId: string; spanId: string } {
    const { traceId, spanId } = this.#span.spanContext();
    return { traceId, spanId };
  }

  /** Runs `work` with the upgrade span active (until its first `await` on a shard). */
  run<T>(work: () => T): T {
    return context.with(this.#ctx, work);
  }

  /** Runs one step of the upgrade in a child span, failed if the step throws. */
  async step<T>(name: string, work: () => Promise<T>): Promise<T> {
    const span = this.#tracer.startSpan(name, {}, this.#ctx);
    try {
      return await context.with(trace.setSpan(this.#ctx, span), work);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }

  /** The fan was admitted: its user, event and session, on the upgrade span. */
  admitted(attributes: { user: string; event: string; session: string }): void {
    this.#span.setAttributes({
      'enduser.id': attributes.user,
      'fanfare.event.id': attributes.event,
      'fanfare.session.id': attributes.session,
    });
  }

  /** Sends the welcome in a child span, then ends the upgrade span. */
  welcome(send: () => void): void {
    const span = this.#tracer.startSpan('welcome', {}, this.#ctx);
    try {
      context.with(trace.setSpan(this.#ctx, span), send);
    } finally {
      span.end();
      this.end();
    }
  }

  /** Ends the upgrade span without a welcome: refused (with its reason), aborted or failed. */
  end(outcome?: { refusal?: UpgradeRefusal; error?: boolean; aborted?: boolean }): void {
    if (this.#ended) return;
    this.#ended = true;
    if (outcome?.refusal) this.#span.setAttribute('fanfare.upgrade.refusal', outcome.refusal);
    if (outcome?.aborted) this.#span.setAttribute('fanfare.upgrade.aborted', true);
    if (outcome?.error) this.#span.setStatus({ code: SpanStatusCode.ERROR });
    this.#span.end();
  }
}

/**
 * Hands each admitted connection's trace from the upgrade to its welcome, by session id (uWS
 * copies the upgrade's user data into the socket's, so the session object is not the same).
 * An entry lives from the upgrade's last step to the welcome, one microtask later.
 */
export class ConnectTraces {
  readonly tracer: Tracer;
  #pending = new Map<string, ConnectTrace>();

  constructor(tracer: Tracer) {
    this.tracer = tracer;
  }

  start(traceparent: string, tracestate: string): ConnectTrace {
    return new ConnectTrace(this.tracer, traceparent, tracestate);
  }

  /** Keeps `connect` for the session's welcome (called right before the upgrade completes). */
  hold(sessionId: string, connect: ConnectTrace): void {
    this.#pending.set(sessionId, connect);
  }

  /** Sends the session's welcome inside its trace, if it has one; otherwise just sends it. */
  welcome(sessionId: string, send: () => void): void {
    const connect = this.#pending.get(sessionId);
    if (!connect) return send();
    this.#pending.delete(sessionId);
    connect.welcome(send);
  }

  /** The connection closed before its welcome. */
  drop(sessionId: string): void {
    this.#pending.get(sessionId)?.end({ aborted: true });
    this.#pending.delete(sessionId);
  }
}
