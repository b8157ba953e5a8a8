// GET /metrics: the Prometheus text the API serves, requests counted by route template (never by
// raw path), and joins counted by outcome (`admitted` or the refusal's problem code).

import { describe, expect, it } from 'vitest';
import { ApiMetrics } from '../src/index.js';
import { join, seededAppSetup } from './app-setup.js';

const setup = seededAppSetup();

/** The value of one sample line of the exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('answers the Prometheus text format without authentication', async () => {
    const { app } = await setup({ metrics: new ApiMetrics().withProcessMetrics() });
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE fanfare_api_http_requests_total counter');
    expect(text).toContain('# TYPE fanfare_api_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE fanfare_api_joins_total counter');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });

  it('counts joins by outcome: admitted, or the refusal’s problem code', async () => {
    const metrics = new ApiMetrics();
    const { app } = await setup({ metrics });
    expect((await join(app, 'demo', '{}')).status).toBe(200);
    expect((await join(app, 'demo', '{}')).status).toBe(200);
    expect((await join(app, 'over', '{}')).status).toBe(410);
    expect((await join(app, 'nope', '{}')).status).toBe(404);
    expect((await join(app, 'demo', '{not json')).status).toBe(400);
    const full = await setup({ metrics, gatewayUrl: () => undefined });
    expect((await join(full.app, 'demo', '{}')).status).toBe(503);

    const text = await (await app.request('/metrics')).text();
    expect(sample(text, 'fanfare_api_joins_total{outcome="admitted"}')).toBe(2);
    expect(sample(text, 'fanfare_api_joins_total{outcome="event_ended"}')).toBe(1);
    expect(sample(text, 'fanfare_api_joins_total{outcome="event_not_found"}')).toBe(1);
    expect(sample(text, 'fanfare_api_joins_total{outcome="invalid_json"}')).toBe(1);
    expect(sample(text, 'fanfare_api_joins_total{outcome="unavailable"}')).toBe(1);
    const route = 'route="/v1/events/:id/join"';
    expect(
      sample(text, `fanfare_api_http_requests_total{method="POST",${route},status="200"}`),
    ).toBe(2);
    expect(
      sample(text, `fanfare_api_http_request_duration_seconds_count{method="POST",${route}}`),
    ).toBe(6);
  });

  it('labels requests by route template, and unknown paths as one `unmatched` route', async () => {
    const metrics = new ApiMetrics();
    const { app } = await setup({ metrics });
    expect((await app.request('/v1/events/demo/polls')).status).toBe(401);
    expect((await app.request('/v1/events/other/polls')).status).toBe(401);
    expect((await app.request('/wp-admin/secret-1')).status).toBe(404);
    expect((await app.request('/wp-admin/secret-2')).status).toBe(404);
    expect((await app.request('/healthz')).status).toBe(200);

    const text = await (await app.request('/metrics')).text();
    const polls = 'route="/v1/events/:id/polls"';
    expect(
      sample(text, `fanfare_api_http_requests_total{method="GET",${polls},status="401"}`),
    ).toBe(2);
    expect(
      sample(text, 'fanfare_api_http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).toBe(2);
    expect(
      sample(text, 'fanfare_api_http_requests_total{method="GET",route="/healthz",status="200"}'),
    ).toBe(1);
    // No raw path (an event id, a scanner's probe) becomes a label value.
    expect(text).not.toMatch(/demo|other|wp-admin/);
  });
});
