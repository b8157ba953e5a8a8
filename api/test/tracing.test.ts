// With an OTLP endpoint set, the API exports its spans over OTLP/HTTP: a tiny receiver on port 0
// decodes the JSON export and finds one join as a server span continuing the caller's
// `traceparent`, with the event lookup and the token signing as its children.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../src/tracing.js';
import { appSetup, join, seedEvents } from './app-setup.js';
import { createFixture, type Fixture } from './fixture.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

let fx: Fixture;
let receiver: Server;
let tracing: Tracing | undefined;
const exports: { path: string; contentType: string; body: OtlpExport }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  tracing = await startTracing({
    endpoint: `http://127.0.0.1:${port}/`,
    serviceName: 'fanfare-api',
  });
  fx = await createFixture();
  await seedEvents(fx);
});
afterAll(async () => {
  await fx?.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const setup = appSetup(() => fx);

describe('OpenTelemetry traces', () => {
  it('is off without an endpoint', async () => {
    expect(await startTracing({ endpoint: undefined, serviceName: 'x' })).toBeUndefined();
  });

  it('exports one join as a server span with its children, in the caller’s trace', async () => {
    const { app } = await setup();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const res = await join(app, 'demo', '{}', { traceparent: `00-${traceId}-${callerSpan}-01` });
    expect(res.status).toBe(200);
    // A control route's database write, in a trace of its own.
    const create = async () =>
      app.request('/v1/events', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await fx.staffToken('producer')}`,
        },
        body: JSON.stringify({ id: 'traced', title: 'Traced' }),
      });
    expect((await create()).status).toBe(201);
    // The same again: the repository call fails (the id is taken), and its span says so.
    expect((await create()).status).toBe(409);
    await tracing!.close(); // flushes the batch

    expect(exports.length).toBeGreaterThan(0);
    expect(exports[0]!.path).toBe('/v1/traces');
    expect(exports[0]!.contentType).toMatch(/^application\/json/);
    const resource = exports[0]!.body.resourceSpans[0]!.resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'fanfare-api' } });
    const spans = exports.flatMap((e) =>
      e.body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
    const server = spans.find((s) => s.name === 'POST /v1/events/:id/join');
    expect(server).toBeDefined();
    expect(server!.traceId).toBe(traceId);
    expect(server!.parentSpanId).toBe(callerSpan);
    expect(server!.kind).toBe(2); // SERVER
    expect(server!.attributes).toContainEqual({
      key: 'fanfare.join.outcome',
      value: { stringValue: 'admitted' },
    });
    for (const name of ['event.lookup', 'token.issue']) {
      const child = spans.find((s) => s.name === name);
      expect(child, name).toMatchObject({ traceId, parentSpanId: server!.spanId });
    }

    // The database: the lookup's read (a fresh app: the directory's cache is empty) is a CLIENT
    // span under event.lookup, named for the repository call, never the SQL's parameters.
    const lookup = spans.find((s) => s.name === 'event.lookup')!;
    const read = spans.find((s) => s.name === 'db events.get');
    expect(read).toMatchObject({ traceId, parentSpanId: lookup.spanId, kind: 3 });
    const attrs = Object.fromEntries(read!.attributes.map((a) => [a.key, a.value.stringValue]));
    expect(attrs).toMatchObject({
      'db.system': 'postgresql',
      'db.operation.name': 'get',
      'db.query.summary': 'events.get',
    });
    const [created, refused] = spans.filter((s) => s.name === 'POST /v1/events');
    const writes = spans.filter((s) => s.name === 'db events.create');
    expect(writes.find((s) => s.traceId === created!.traceId)).toMatchObject({
      parentSpanId: created!.spanId,
    });
    expect(writes.find((s) => s.traceId === created!.traceId)?.status?.code ?? 0).toBe(0);
    expect(writes.find((s) => s.traceId === refused!.traceId)).toMatchObject({
      parentSpanId: refused!.spanId,
      status: { code: 2 }, // ERROR
    });
    // Outside a request (the fixture's seeding, background loops) no database span is opened.
    expect(spans.filter((s) => s.name.startsWith('db ') && s.parentSpanId === undefined)).toEqual(
      [],
    );
  });
});
