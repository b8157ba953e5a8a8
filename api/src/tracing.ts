// OpenTelemetry traces for the API. Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then the
// OpenTelemetry Node SDK (`@opentelemetry/sdk-node`) exports spans as OTLP/HTTP JSON to
// `<endpoint>/v1/traces`. Off, `@opentelemetry/api` hands out its no-op tracer, so the spans the
// routes open cost a function call. Each request is a server span named `<METHOD> <route
// template>`, continuing a W3C `traceparent` the caller sent; the join opens children for the
// event lookup and the token signing. Error logs carry the active span's trace id.

import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';

export const TRACER_NAME = '@fanfare/api';

export interface Tracing {
  /** Flushes the spans not yet exported, then stops the SDK. */
  close(): Promise<void>;
}

/**
 * Starts the SDK when `endpoint` is set (OTEL_EXPORTER_OTLP_ENDPOINT); undefined when not. The
 * SDK is imported only then, so a process without tracing never loads it.
 */
export async function startTracing(options: {
  endpoint: string | undefined;
  serviceName: string;
}): Promise<Tracing | undefined> {
  if (options.endpoint === undefined) return undefined;
  const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { close: () => sdk.shutdown() };
}

/** The API's tracer (the no-op one while tracing is off). */
export function apiTracer() {
  return trace.getTracer(TRACER_NAME);
}

/** The active span's trace id, for log lines; undefined when no span records. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
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
