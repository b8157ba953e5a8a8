// OpenTelemetry traces for the API. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then the
// OpenTelemetry Node SDK (`@opentelemetry/sdk-node`, started by fanout's tracing.ts, as on the
// shards) exports spans as OTLP/HTTP JSON to `<endpoint>/v1/traces`. Off, `@opentelemetry/api`
// hands out its no-op tracer, so the spans the routes open cost a function call. Each request is a server span named `<METHOD> <route
// template>`, continuing a W3C `traceparent` the caller sent; the join opens children for the
// event lookup and the token signing, and hands its context to the shard in the gateway URL.
// Error logs carry the active span's trace id.

import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { TRACEPARENT_PARAM } from '@fanfare/protocol';
import {
  activeTraceIds,
  startTracing as startSharedTracing,
  traceHeaders,
  type Tracing,
} from '@fanfare/fanout';

export const TRACER_NAME = '@fanfare/api';

export type { Tracing };

/** Starts the shared setup (fanout's tracing.ts) under the API's tracer name. */
export function startTracing(options: {
  endpoint: string | undefined;
  serviceName: string;
}): Promise<Tracing | undefined> {
  return startSharedTracing({ ...options, tracerName: TRACER_NAME });
}

/** The API's tracer (the no-op one while tracing is off). */
export function apiTracer() {
  return trace.getTracer(TRACER_NAME);
}

/** The active span's trace id, for log lines; undefined when no span records. */
export function activeTraceId(): string | undefined {
  return activeTraceIds()?.traceId;
}

/**
 * `gatewayUrl` with the active span's W3C context as a `traceparent` query parameter, when a
 * span records; unchanged otherwise. The shard continues the join's trace from it (browsers
 * cannot set headers on a WebSocket upgrade; every client keeps the URL's query as it is).
 */
export function withTraceparent(gatewayUrl: string): string {
  if (!trace.getActiveSpan()?.isRecording()) return gatewayUrl;
  const { traceparent } = traceHeaders();
  if (traceparent === undefined) return gatewayUrl;
  const url = new URL(gatewayUrl);
  url.searchParams.set(TRACEPARENT_PARAM, traceparent);
  return url.toString();
}

/**
 * Runs `work` inside a server span that continues the caller's `traceparent` (if any); `work`
 * names the span by its route and sets its attributes once the response is known.
 */
export async function serverSpan(
  headers: Record<string, string>,
  work: (span: Span) => Promise<void>,
): Promise<void> {
  const parent = propagation.extract(context.active(), headers);
  await apiTracer().startActiveSpan('request', { kind: SpanKind.SERVER }, parent, async (span) => {
    try {
      await work(span);
    } finally {
      span.end();
    }
  });
}

/** Runs `work` in a child span named `name`, marking it failed if `work` throws. */
export async function childSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  return apiTracer().startActiveSpan(name, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
