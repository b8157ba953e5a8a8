// prom-client's JSON (as `getMetricsAsJSON` returns it) as OTel metric data: counters as
// monotonic sums, gauges as gauges, cumulative `le` buckets as per-bucket counts.

import { DataPointType, type Histogram } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { toMetricData, type PromMetricJson } from './prom-metric-producer.js';

const T0: [number, number] = [1, 0];
const T1: [number, number] = [2, 0];

describe('toMetricData', () => {
  it('turns a counter into a monotonic sum with its labels', () => {
    const counter: PromMetricJson = {
      name: 'joins_total',
      help: 'joins',
      type: 'counter',
      values: [{ value: 3, labels: { outcome: 'admitted', shard: 'g1' } }],
    };
    const data = toMetricData(counter, T0, T1);
    expect(data).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true });
    expect(data!.dataPoints).toEqual([
      { startTime: T0, endTime: T1, attributes: { outcome: 'admitted', shard: 'g1' }, value: 3 },
    ]);
  });

  it('turns cumulative buckets into per-bucket counts, per label set', () => {
    const bucket = (le: string, value: number, route: string) => ({
      value,
      labels: { le, route },
      metricName: 'latency_bucket',
    });
    const histogram: PromMetricJson = {
      name: 'latency',
      help: 'latency',
      type: 'histogram',
      values: [
        bucket('0.1', 2, '/a'),
        bucket('0.5', 5, '/a'),
        bucket('+Inf', 6, '/a'),
        { value: 1.7, labels: { route: '/a' }, metricName: 'latency_sum' },
        { value: 6, labels: { route: '/a' }, metricName: 'latency_count' },
        bucket('0.1', 0, '/b'),
        bucket('0.5', 1, '/b'),
        bucket('+Inf', 1, '/b'),
        { value: 0.2, labels: { route: '/b' }, metricName: 'latency_sum' },
        { value: 1, labels: { route: '/b' }, metricName: 'latency_count' },
      ],
    };
    const data = toMetricData(histogram, T0, T1);
    expect(data?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const points = data!.dataPoints as { attributes: object; value: Histogram }[];
    expect(points.map((p) => [p.attributes, p.value])).toEqual([
      [
        { route: '/a' },
        { buckets: { boundaries: [0.1, 0.5], counts: [2, 3, 1] }, sum: 1.7, count: 6 },
      ],
      [
        { route: '/b' },
        { buckets: { boundaries: [0.1, 0.5], counts: [0, 1, 0] }, sum: 0.2, count: 1 },
      ],
    ]);
  });

  it('leaves summaries out', () => {
    const summary: PromMetricJson = { name: 's', help: 's', type: 'summary', values: [] };
    expect(toMetricData(summary, T0, T1)).toBeUndefined();
  });
});
