// The Prometheus registry's series as OpenTelemetry metric data, so the same series a process
// serves on /metrics are exported over OTLP too (metrics-export.ts) without a second set of
// instruments: an OTel `MetricProducer` that reads the registry (prom-client's
// `getMetricsAsJSON`) at each collection. Counters become monotonic cumulative sums, gauges
// gauges, histograms explicit-bucket histograms (prom-client's cumulative `le` buckets turned into
// per-bucket counts); summaries are left out (the processes define none). Names and labels are
// kept as they are (`fanfare_gateway_connections`, `shard="g1"`), so a dashboard reads either.

import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import { ValueType } from '@opentelemetry/api';

/** The part of prom-client's `getMetricsAsJSON()` this reads (no dependency on prom-client). */
export interface PromMetricJson {
  name: string;
  help: string;
  /** `counter`, `gauge`, `histogram`, `summary` at run time (prom-client types it as an enum). */
  type: unknown;
  values: {
    value: number;
    labels: Partial<Record<string, string | number>>;
    metricName?: string;
  }[];
}

export interface PromRegistry {
  getMetricsAsJSON(): Promise<PromMetricJson[]>;
}

function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

/** Labels without `le`, as a stable key and as attributes. */
function series(labels: Partial<Record<string, string | number>>): [string, Attributes] {
  const attributes: Attributes = {};
  for (const [k, v] of Object.entries(labels)) if (k !== 'le' && v !== undefined) attributes[k] = v;
  return [JSON.stringify(Object.entries(attributes).sort()), attributes];
}

function histogramPoints(metric: PromMetricJson, start: HrTime, end: HrTime) {
  const byKey = new Map<
    string,
    { attributes: Attributes; le: [number, number][]; sum: number; count: number }
  >();
  for (const v of metric.values) {
    const [key, attributes] = series(v.labels);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { attributes, le: [], sum: 0, count: 0 }));
    if (v.metricName?.endsWith('_bucket')) {
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
      s.le.push([le, v.value]);
    } else if (v.metricName?.endsWith('_sum')) s.sum = v.value;
    else if (v.metricName?.endsWith('_count')) s.count = v.value;
  }
  return [...byKey.values()].map((s): DataPoint<Histogram> => {
    const finite = s.le.filter(([le]) => le !== Infinity).sort((a, b) => a[0] - b[0]);
    const counts: number[] = [];
    let below = 0;
    for (const [, cumulative] of finite) {
      counts.push(cumulative - below);
      below = cumulative;
    }
    counts.push(s.count - below);
    return {
      startTime: start,
      endTime: end,
      attributes: s.attributes,
      value: {
        buckets: { boundaries: finite.map(([le]) => le), counts },
        sum: s.sum,
        count: s.count,
      },
    };
  });
}

/** One prom-client metric as OTel metric data; undefined for the kinds not exported. */
export function toMetricData(
  metric: PromMetricJson,
  start: HrTime,
  end: HrTime,
): MetricData | undefined {
  const descriptor = {
    name: metric.name,
    description: metric.help,
    unit: '',
    valueType: ValueType.DOUBLE,
  };
  const points = () =>
    metric.values.map((v): DataPoint<number> => ({
      startTime: start,
      endTime: end,
      attributes: series(v.labels)[1],
      value: v.value,
    }));
  const aggregationTemporality = AggregationTemporality.CUMULATIVE;
  switch (String(metric.type)) {
    case 'counter':
      return {
        descriptor,
        aggregationTemporality,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: points(),
      };
    case 'gauge':
      return {
        descriptor,
        aggregationTemporality,
        dataPointType: DataPointType.GAUGE,
        dataPoints: points(),
      };
    case 'histogram':
      return {
        descriptor,
        aggregationTemporality,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: histogramPoints(metric, start, end),
      };
    default:
      return undefined;
  }
}

export class PromMetricProducer implements MetricProducer {
  #registry: PromRegistry;
  #resource: Resource;
  #scope: string;
  #started = hrTime(Date.now());

  constructor(registry: PromRegistry, resource: Resource, scope: string) {
    this.#registry = registry;
    this.#resource = resource;
    this.#scope = scope;
  }

  async collect(): Promise<CollectionResult> {
    const end = hrTime(Date.now());
    const metrics = (await this.#registry.getMetricsAsJSON())
      .map((m) => toMetricData(m, this.#started, end))
      .filter((m): m is MetricData => m !== undefined);
    return {
      resourceMetrics: {
        resource: this.#resource,
        scopeMetrics: [{ scope: { name: this.#scope }, metrics }],
      },
      errors: [],
    };
  }
}
