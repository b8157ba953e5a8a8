// The API's Prometheus metrics, served at GET /metrics. One registry per ApiMetrics (not
// prom-client's global one), so an API beside shards in one process (the embedded engine, tests)
// reports its own series. Requests are labelled by route template (`/v1/events/:id/join`), never
// by the raw path, so an event id or a scanner's garbage cannot grow the series without bound.

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QoeApiMetrics } from './qoe-metrics.js';

/** Latency buckets of API requests, seconds: a join is a few ms, a slow database a few seconds. */
export const HTTP_SECONDS_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const;

/** The route label of a request no route matched (404s), so unknown paths share one series. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The join outcome counted when a token was issued; refusals are counted by their error code. */
export const JOIN_ADMITTED = 'admitted';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestSeconds: Histogram<'method' | 'route'>;
  readonly joins: Counter<'outcome'>;
  /** The shards' QoE windows this process received (qoe-rollup.ts). */
  readonly qoe: QoeApiMetrics;

  constructor(labels: Record<string, string> = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    this.requests = new Counter({
      name: 'fanfare_api_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'fanfare_api_http_request_duration_seconds',
      help: 'From request received to response ready, by method and route template, seconds.',
      labelNames: ['method', 'route'],
      buckets: [...HTTP_SECONDS_BUCKETS],
      registers,
    });
    this.joins = new Counter({
      name: 'fanfare_api_joins_total',
      help: 'Join calls by outcome: `admitted`, or the refusal’s error code (docs/api.md).',
      labelNames: ['outcome'],
      registers,
    });
    this.qoe = new QoeApiMetrics(this.registry);
  }

  /** Adds Node's process metrics (CPU, memory, event loop lag). Once per process is enough. */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }

  /** Counts one answered request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.requestSeconds.observe({ method, route }, seconds);
  }
}
