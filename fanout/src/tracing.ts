// OpenTelemetry traces for every process (the API and the shards), one setup: off unless
// OTEL_EXPORTER_OTLP_ENDPOINT is set; then the OpenTelemetry Node SDK (`@opentelemetry/sdk-node`)
// exports spans in batches as OTLP/HTTP JSON to `<endpoint>/v1/traces`, and the standard OTEL_*
// variables the SDK reads (OTEL_TRACES_SAMPLER, OTEL_BSP_SCHEDULE_DELAY, …) apply. The SDK is
// imported only then, so a process without tracing never loads it.
//
// Off, components get no tracer at all (`undefined`) and skip every tracing step behind one
// `if`: no span objects, no header injection or parsing on the message path. Context crosses
// processes as W3C trace context: `traceparent` on HTTP requests and upgrades, and in the NATS
// headers of the event log's messages (event-log-trace.ts).

import { context, propagation, trace, type Context, type Tracer } from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/nats-core';
import { SyncContextManager } from './sync-context-manager.js';

export interface Tracing {
  /** This process's tracer, to hand to the components that open spans. */
  readonly tracer: Tracer;
  /** Flushes the spans not yet exported, then stops the SDK. */
  close(): Promise<void>;
}

/**
 * Starts the SDK when `endpoint` is set (OTEL_EXPORTER_OTLP_ENDPOINT); undefined when not.
 * `serviceName` becomes the resource's `service.name`; `tracerName` names the tracer handed out.
 */
export async function startTracing(options: {
  endpoint: string | undefined;
  serviceName: string;
  tracerName: string;
  /** `service.instance.id` (the shard id), so each shard's spans can be told apart. */
  instanceId?: string;
  /**
   * How the active context travels: `async` (the SDK's AsyncLocalStorage manager: across
   * `await`, at a cost to every promise) or `sync` (sync-context-manager.ts: within synchronous
   * calls only). Default `async`.
   */
  context?: 'async' | 'sync';
}): Promise<Tracing | undefined> {
  if (options.endpoint === undefined) return undefined;
  const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }, resources] = await Promise.all(
    [
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
    ],
  );
  // With an instance id, the SDK's own detector (a random UUID per start) must not replace it.
  const instance = options.instanceId
    ? {
        resource: resources
          .defaultResource()
          .merge(resources.resourceFromAttributes({ 'service.instance.id': options.instanceId })),
        resourceDetectors: [
          resources.processDetector,
          resources.hostDetector,
          resources.osDetector,
          resources.envDetector,
        ],
      }
    : {};
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    ...instance,
    ...(options.context === 'sync' ? { contextManager: new SyncContextManager() } : {}),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { tracer: trace.getTracer(options.tracerName), close: () => sdk.shutdown() };
}

/** The active span's trace and span ids, for log lines; undefined when no span records. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** The context a W3C `traceparent` (and `tracestate`) names, as a parent for a new span. */
export function contextFromTraceparent(traceparent: string, tracestate = ''): Context {
  const carrier: Record<string, string> = { traceparent };
  if (tracestate !== '') carrier.tracestate = tracestate;
  return propagation.extract(context.active(), carrier);
}

/** The active context as W3C headers (`traceparent`, maybe `tracestate`); empty when none. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** Writes the active context's W3C headers into NATS message headers. */
export function natsTraceHeaders(headers: MsgHdrs, ctx: Context = context.active()): void {
  for (const [key, value] of Object.entries(traceHeaders(ctx))) headers.set(key, value);
}
