// Metrics over OTLP beside Prometheus: with OTEL_EXPORTER_OTLP_ENDPOINT set, a process also
// pushes the series of its Prometheus registry (the ones /metrics serves, through
// prom-metric-producer.ts) as OTLP/HTTP JSON to `<endpoint>/v1/metrics`, every
// OTEL_METRIC_EXPORT_INTERVAL ms (the OpenTelemetry variable; 60 s by default). Off when the
// endpoint is unset: nothing is loaded. The SDK modules are imported only when it starts.

import type { PromRegistry } from './prom-metric-producer.js';

export interface MetricsExport {
  /** Exports once more, then stops. */
  close(): Promise<void>;
}

/** How often metrics are pushed when OTEL_METRIC_EXPORT_INTERVAL is unset, ms (the spec's). */
export const METRIC_EXPORT_INTERVAL_MS = 60_000;

export async function startMetricsExport(options: {
  endpoint: string | undefined;
  intervalMs: number;
  registry: PromRegistry;
  serviceName: string;
  /** `service.instance.id` (the shard id). */
  instanceId?: string;
}): Promise<MetricsExport | undefined> {
  if (options.endpoint === undefined) return undefined;
  const [metrics, { OTLPMetricExporter }, resources, { PromMetricProducer }] = await Promise.all([
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
    import('@opentelemetry/resources'),
    import('./prom-metric-producer.js'),
  ]);
  const resource = resources.defaultResource().merge(
    resources.resourceFromAttributes({
      'service.name': options.serviceName,
      ...(options.instanceId ? { 'service.instance.id': options.instanceId } : {}),
    }),
  );
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/metrics`;
  const reader = new metrics.PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url }),
    exportIntervalMillis: options.intervalMs,
    exportTimeoutMillis: Math.min(options.intervalMs, 30_000),
    metricProducers: [new PromMetricProducer(options.registry, resource, 'prometheus')],
  });
  const provider = new metrics.MeterProvider({ resource, readers: [reader] });
  return { close: () => provider.shutdown() };
}
