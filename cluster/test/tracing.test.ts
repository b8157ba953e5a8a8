// Traces across processes: the API and two gateway shards as real processes on a private
// nats-server, exporting to a real OTLP/HTTP receiver (testkit's, decoding the exporters' JSON).
// One join is one trace from the API's join span to the shard's upgrade and welcome (the context
// rides in the gateway URL's `traceparent`); one chat message is one trace from its publish on one
// shard to its delivery on both, the context riding in the JetStream message's NATS headers.

import {
  connectTestRedis,
  deletePrefix,
  requireNatsServerBinary,
  runPrefix,
  startNatsServer,
  type TestNatsServer,
} from '@fanfare/fanout/testing';
import { LOG_APPEND_SPAN, LOG_DELIVER_SPAN } from '@fanfare/fanout';
import { TRACEPARENT_PARAM } from '@fanfare/protocol';
import {
  attributeOf,
  connectFan,
  startOtlpReceiver,
  type FanClient,
  type OtlpAttribute,
  type OtlpReceiver,
  type OtlpTraceExport,
  type ReceivedSpan,
} from '@fanfare/testkit';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/index.js';

const redisProbe = await connectTestRedis();
redisProbe?.disconnect();
const runnable = requireNatsServerBinary() && redisProbe !== undefined;

/** The exporters' batch delay, ms: short, so the spans arrive while the test waits. */
const EXPORT_DELAY_MS = '100';
/** How often the processes push their metrics in this test, ms. */
const METRIC_INTERVAL_MS = '1000';
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

const JOIN_SPAN = 'POST /v1/events/:id/join';

/** The parts of an OTLP JSON metrics push this test reads. */
interface OtlpMetricExport {
  resourceMetrics: {
    resource: { attributes: OtlpAttribute[] };
    scopeMetrics: {
      metrics: {
        name: string;
        sum?: { dataPoints: { asDouble?: number; asInt?: string | number }[] };
        histogram?: {
          dataPoints: {
            count: string | number;
            bucketCounts: (string | number)[];
            explicitBounds: number[];
          }[];
        };
      }[];
    }[];
  }[];
}
const JOIN_TRACE_DOC = new URL('../../docs/examples/join-trace.json', import.meta.url);
/** The resource attributes the docs example keeps (the rest name this machine's host and process). */
const KEPT_RESOURCE = [
  'service.name',
  'service.instance.id',
  'telemetry.sdk.name',
  'telemetry.sdk.version',
];

/** The trace export requests holding `traceId`'s spans, as sent, other traces' spans left out. */
function joinExports(receiver: OtlpReceiver, traceId: string): OtlpTraceExport[] {
  return receiver.requests
    .filter((r) => r.path === '/v1/traces')
    .map((r) => r.body as OtlpTraceExport)
    .map((body) => ({
      resourceSpans: body.resourceSpans.map((rs) => ({
        ...rs,
        resource: {
          ...rs.resource,
          attributes: rs.resource.attributes.filter((a) => KEPT_RESOURCE.includes(a.key)),
        },
        scopeSpans: rs.scopeSpans
          .map((ss) => ({ ...ss, spans: ss.spans.filter((sp) => sp.traceId === traceId) }))
          .filter((ss) => ss.spans.length > 0),
      })),
    }))
    .filter((body) => body.resourceSpans.some((rs) => rs.scopeSpans.length > 0));
}

/** `service: span <- parent span` for every span of the exports, sorted: a trace's shape. */
function spanTree(exports: OtlpTraceExport[]): string[] {
  const spans = exports.flatMap((e) =>
    e.resourceSpans.flatMap((rs) => {
      const service = attributeOf(rs.resource.attributes, 'service.name');
      return rs.scopeSpans.flatMap((ss) => ss.spans.map((sp) => ({ ...sp, service })));
    }),
  );
  const byId = new Map(spans.map((sp) => [sp.spanId, sp.name]));
  return spans
    .map((sp) => `${sp.service}: ${sp.name} <- ${byId.get(sp.parentSpanId ?? '') ?? '(root)'}`)
    .sort();
}

describe.skipIf(!runnable)('traces across the API and the shards', () => {
  let receiver: OtlpReceiver;
  let nats: TestNatsServer | undefined;
  let cluster: Cluster | undefined;
  let prefix = '';
  const fans: FanClient[] = [];
  /** The traced chat message's id, deleted by a later test. */
  let chatMessageId = '';

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    prefix = runPrefix('trace').replace(/:/g, '-');
    nats = await startNatsServer();
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: EXPORT_DELAY_MS,
      OTEL_METRIC_EXPORT_INTERVAL: METRIC_INTERVAL_MS,
    };
    cluster = await Cluster.start({
      shards: 2,
      natsUrl: nats.url,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      prefix,
      apiEnv: otel,
      shardEnv: { ...otel, READINESS_GRACE_MS: '0' },
      output: (name, line) => {
        if (/"level":"error"/.test(line)) process.stdout.write(`[${name}] ${line}\n`);
      },
    });
  }, 60_000);

  afterAll(async () => {
    for (const fan of fans) fan.close();
    await cluster?.stop();
    await nats?.dispose();
    const redis = await connectTestRedis();
    if (redis) {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
    await receiver?.close();
  });

  async function join(name: string): Promise<{ token: string; gatewayUrl: string }> {
    const res = await fetch(`${cluster!.apiUrl}/v1/events/demo/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { token: string; gatewayUrl: string };
  }

  async function connect(gatewayUrl: string, token: string): Promise<FanClient> {
    const url = new URL(gatewayUrl);
    url.searchParams.set('token', token);
    const fan = await connectFan(url.toString());
    fans.push(fan);
    await fan.next('welcome');
    return fan;
  }

  const inTrace = (spans: ReceivedSpan[], traceId: string) =>
    spans.filter((s) => s.traceId === traceId);

  it('follows one join from the API to the shard’s welcome as one trace', async () => {
    const grant = await join('Ann');
    const traceparent = new URL(grant.gatewayUrl).searchParams.get(TRACEPARENT_PARAM);
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, joinSpanId] = traceparent!.split('-') as [string, string, string];
    await connect(grant.gatewayUrl, grant.token);

    const names = [JOIN_SPAN, 'event.lookup', 'token.issue', 'ws upgrade', 'token.verify'];
    const spans = inTrace(
      await receiver.waitForSpans('the join trace', (all) => {
        const got = new Set(inTrace(all, traceId).map((s) => s.name));
        return [...names, 'room.acquire', 'welcome'].every((n) => got.has(n));
      }),
      traceId,
    );
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const api = one(JOIN_SPAN);
    expect(api).toMatchObject({ service: 'fanfare-api', kind: SERVER, spanId: joinSpanId });
    expect(api.parentSpanId ?? '').toBe(''); // the join is the trace's root
    const upgrade = one('ws upgrade');
    expect(upgrade).toMatchObject({ service: 'fanfare-gateway', kind: SERVER });
    expect(upgrade.parentSpanId).toBe(api.spanId);
    const shard = new URL(grant.gatewayUrl).port;
    expect(cluster!.shards.find((s) => s.name === upgrade.instance)?.port).toBe(Number(shard));
    for (const child of ['token.verify', 'room.acquire', 'welcome']) {
      expect(one(child), child).toMatchObject({
        service: 'fanfare-gateway',
        parentSpanId: upgrade.spanId,
      });
    }
    expect(attributeOf(upgrade.attributes, 'fanfare.event.id')).toBe('demo');

    // docs/examples/join-trace.json is one such trace as the exporters sent it: the same tree.
    const sent = joinExports(receiver, traceId);
    if (process.env.FANFARE_TRACE_SAMPLE) {
      writeFileSync(process.env.FANFARE_TRACE_SAMPLE, `${JSON.stringify(sent, null, 2)}\n`);
    }
    const documented = JSON.parse(readFileSync(JOIN_TRACE_DOC, 'utf8')) as OtlpTraceExport[];
    expect(spanTree(documented)).toEqual(spanTree(sent));
  }, 30_000);

  it('follows one chat message from its publish on one shard to its delivery on both', async () => {
    const [g1, g2] = cluster!.shards;
    const a = await join('Bea');
    const b = await join('Cal');
    const sender = await connect(`ws://127.0.0.1:${g1!.port}/ws`, a.token);
    const reader = await connect(`ws://127.0.0.1:${g2!.port}/ws`, b.token);
    const text = `traced ${Date.now()}`;
    sender.send({ type: 'chat.send', text, ref: 'r1' });
    await sender.next('ack');
    await reader.until('the message on the other shard', () => reader.chatTexts().includes(text));
    const frames = reader.frames.flatMap((f) => (f.type === 'chat' ? f.messages : []));
    chatMessageId = frames.find((m) => m.text === text)!.id;

    const all = await receiver.waitForSpans('the chat trace', (spans) => {
      const publish = spans.find((s) => s.name === LOG_APPEND_SPAN && s.instance === 'g1');
      if (!publish) return false;
      const delivered = inTrace(spans, publish.traceId).filter((s) => s.name === LOG_DELIVER_SPAN);
      return new Set(delivered.map((s) => s.instance)).size === 2;
    });
    const publishes = all.filter((s) => s.name === LOG_APPEND_SPAN);
    expect(publishes).toHaveLength(1); // the joins published nothing
    const publish = publishes[0]!;
    expect(publish).toMatchObject({ service: 'fanfare-gateway', instance: 'g1', kind: PRODUCER });
    expect(attributeOf(publish.attributes, 'messaging.system')).toBe('nats');
    const deliveries = inTrace(all, publish.traceId).filter((s) => s.name === LOG_DELIVER_SPAN);
    // One delivery span per shard, however many fans each delivered to.
    expect(deliveries.map((s) => s.instance).sort()).toEqual(['g1', 'g2']);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ kind: CONSUMER, parentSpanId: publish.spanId });
      expect(attributeOf(delivery.attributes, 'messaging.message.id')).toBe(
        attributeOf(publish.attributes, 'messaging.message.id'),
      );
    }
  }, 30_000);

  it('follows a moderator’s deletion from the API through the log to both shards', async () => {
    expect(chatMessageId).not.toBe('');
    const token = await cluster!.staffToken('moderator');
    const res = await fetch(`${cluster!.apiUrl}/v1/events/demo/messages/${chatMessageId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const route = 'DELETE /v1/events/:id/messages/:msgId';
    const all = await receiver.waitForSpans('the deletion trace', (spans) => {
      const request = spans.find((s) => s.name === route);
      if (!request) return false;
      const delivered = inTrace(spans, request.traceId).filter((s) => s.name === LOG_DELIVER_SPAN);
      return new Set(delivered.map((s) => s.instance)).size === 2;
    });
    const request = all.find((s) => s.name === route)!;
    const trace = inTrace(all, request.traceId);
    const publish = trace.find((s) => s.name === LOG_APPEND_SPAN);
    expect(publish).toMatchObject({ service: 'fanfare-api', parentSpanId: request.spanId });
    for (const delivery of trace.filter((s) => s.name === LOG_DELIVER_SPAN)) {
      expect(delivery).toMatchObject({ service: 'fanfare-gateway', parentSpanId: publish!.spanId });
    }
  }, 30_000);

  it('pushes the /metrics series over OTLP from the API and every shard', async () => {
    // Metrics from a push after the joins above: the API's join counter and a shard's welcomes.
    const pushes = () =>
      receiver.requests
        .filter((r) => r.path === '/v1/metrics' && typeof r.body === 'object')
        .map((r) => r.body as OtlpMetricExport);
    const value = (service: string, instance: string | undefined, name: string) => {
      let latest: number | undefined;
      for (const body of pushes()) {
        for (const rm of body.resourceMetrics) {
          if (attributeOf(rm.resource.attributes, 'service.name') !== service) continue;
          if (instance && attributeOf(rm.resource.attributes, 'service.instance.id') !== instance)
            continue;
          for (const sm of rm.scopeMetrics)
            for (const m of sm.metrics)
              if (m.name === name)
                latest = (m.sum?.dataPoints ?? []).reduce(
                  (n, p) => n + Number(p.asDouble ?? p.asInt ?? 0),
                  0,
                );
        }
      }
      return latest;
    };
    // The count Prometheus scrapes now: the three joins of this file, all admitted. A push made
    // before the last of them carries less, so wait for one made after.
    const scraped = await (await fetch(`${cluster!.apiUrl}/metrics`)).text();
    expect(scraped).toMatch(/^fanfare_api_joins_total\{outcome="admitted"\} 3$/m);
    await receiver.waitFor(
      'metric pushes from every process, after the joins',
      () =>
        [
          value('fanfare-gateway', 'g1', 'fanfare_gateway_welcomes_total'),
          value('fanfare-gateway', 'g2', 'fanfare_gateway_welcomes_total'),
        ].every((v) => v !== undefined && v >= 1) &&
        value('fanfare-api', undefined, 'fanfare_api_joins_total') === 3,
    );
    // A histogram arrives as one: explicit buckets, counts adding up to its count.
    const histogram = pushes()
      .flatMap((b) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics)))
      .find((m) => m.histogram && m.histogram.dataPoints.some((p) => Number(p.count) > 0));
    expect(histogram, 'a histogram with samples').toBeDefined();
    for (const p of histogram!.histogram!.dataPoints) {
      expect(p.bucketCounts.length).toBe(p.explicitBounds.length + 1);
      expect(p.bucketCounts.reduce<number>((n, c) => n + Number(c), 0)).toBe(Number(p.count));
    }
  }, 30_000);
});
