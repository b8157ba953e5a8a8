// A real Prometheus (Debian's binary) scrapes every process of the embedded engine (the API and a
// shard in the engine's process, the media origin in its child process), and the series come
// back through its HTTP query API: the /metrics endpoints are scrapeable as they are, with the
// names the rules and the dashboard query.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type Engine } from '@fanfare/embedded';
import { freePort } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS, toolAvailable } from './tools.js';

/** How often the test's Prometheus scrapes, s: short, so the first samples come fast. */
const SCRAPE_INTERVAL_S = 1;
/** Longest wait for Prometheus to answer and for every target to be up, ms (a loaded box). */
const SCRAPE_WAIT_MS = 45_000;
const POLL_MS = 250;
/** The engine with its media child and Prometheus starting on a loaded 2-core box, ms. */
const START_TIMEOUT_MS = 90_000;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const prometheus = toolAvailable(PROMETHEUS);

describe.skipIf(!prometheus)(
  'a real Prometheus scraping the API, a shard and the media origin',
  () => {
    const scratch = mkdtempSync(join(tmpdir(), 'fanfare-prometheus-'));
    let engine: Engine;
    let server: ChildProcess | undefined;
    let promUrl = '';
    const output: string[] = [];

    async function query(expr: string): Promise<Sample[]> {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; data: { result: Sample[] } };
      expect(body.status).toBe('success');
      return body.data.result;
    }

    /** Polls `expr` until `done` holds for its samples; fails with Prometheus's log otherwise. */
    async function waitFor(expr: string, done: (s: Sample[]) => boolean): Promise<Sample[]> {
      const deadline = Date.now() + SCRAPE_WAIT_MS;
      let last: unknown;
      for (;;) {
        try {
          const samples = await query(expr);
          if (done(samples)) return samples;
          last = samples;
        } catch (err) {
          last = err; // not listening yet
        }
        if (Date.now() > deadline) {
          throw new Error(`${expr}: ${JSON.stringify(last)}\n${output.slice(-20).join('')}`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }

    beforeAll(async () => {
      engine = await startEngine(
        {
          API_PORT: '0',
          GATEWAY_PORT: '0',
          PGLITE_DATA_DIR: 'memory',
          // The media process as a child, with no demo stream (no ffmpeg running): its origin only.
          EMBEDDED_MEDIA: 'on',
          MEDIA_DEMO_EVENT: '',
          MEDIA_PORT: '0',
          MEDIA_RTMP_PORT: '0',
          MEDIA_SRT_PORT: '0',
        },
        { apiLogger: silentLogger, gatewayLogger: silentLogger, mediaLog: () => undefined },
      );
      const media = new URL(engine.media!.url).host;
      const api = new URL(engine.apiUrl).host;
      const shard = new URL(engine.gatewayUrl).host;
      writeFileSync(
        join(scratch, 'prometheus.yml'),
        [
          'global:',
          `  scrape_interval: ${SCRAPE_INTERVAL_S}s`,
          `  scrape_timeout: ${SCRAPE_INTERVAL_S}s`,
          'scrape_configs:',
          '  - job_name: api',
          `    static_configs: [{ targets: ['${api}'] }]`,
          '  - job_name: gateway',
          `    static_configs: [{ targets: ['${shard}'] }]`,
          '  - job_name: media',
          `    static_configs: [{ targets: ['${media}'] }]`,
          '',
        ].join('\n'),
      );
      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      server = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(scratch, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(scratch, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      server.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      server.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      // One admitted join, so a join series exists before the scrapes the test reads.
      const res = await fetch(`${engine.apiUrl}/v1/events/demo/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
      // One origin request (no token: 401), so an origin request series exists too.
      expect((await fetch(`${engine.media!.url}/live/demo/master.m3u8`)).status).toBe(401);
    }, START_TIMEOUT_MS);

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server!.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      await engine?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('finds every target up', async () => {
      const up = await waitFor('up', (s) => s.length === 3 && s.every((x) => x.value[1] === '1'));
      expect(up.map((s) => s.metric.job).sort()).toEqual(['api', 'gateway', 'media']);
    });

    it('queries the API’s series back: requests by route template and joins by outcome', async () => {
      const joins = await waitFor(
        'fanfare_api_joins_total{outcome="admitted"}',
        (s) => s.length > 0,
      );
      expect(joins[0]!.metric.job).toBe('api');
      expect(Number(joins[0]!.value[1])).toBe(1);
      const requests = await query(
        'sum by (route, status) (fanfare_api_http_requests_total{route="/v1/events/:id/join"})',
      );
      expect(requests).toEqual([
        {
          metric: { route: '/v1/events/:id/join', status: '200' },
          value: [expect.any(Number), '1'],
        },
      ]);
      const latency = await query(
        'histogram_quantile(0.99, sum by (le) (fanfare_api_http_request_duration_seconds_bucket))',
      );
      expect(Number(latency[0]!.value[1])).toBeGreaterThan(0);
    });

    it('queries the shard’s series back', async () => {
      const rooms = await waitFor('fanfare_gateway_connections', (s) => s.length > 0);
      expect(rooms[0]!.metric).toMatchObject({ job: 'gateway', shard: expect.any(String) });
      expect(rooms[0]!.value[1]).toBe('0');
      const refused = await query('fanfare_gateway_upgrades_refused_total');
      expect(refused.every((s) => s.metric.job === 'gateway')).toBe(true);
    });

    it('queries the media origin’s series back', async () => {
      const refused = await waitFor(
        'fanfare_media_origin_requests_total{kind="master",status="401"}',
        (s) => s.length > 0,
      );
      expect(refused[0]!.metric.job).toBe('media');
      expect(refused[0]!.value[1]).toBe('1');
      const held = await query('fanfare_media_origin_held_requests');
      expect(held.map((s) => [s.metric.job, s.value[1]])).toEqual([['media', '0']]);
      const lag = await query('nodejs_eventloop_lag_p99_seconds{job="media"}');
      expect(lag).toHaveLength(1);
    });
  },
);
