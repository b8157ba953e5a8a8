// A real OTLP/HTTP receiver for tests: an HTTP server on port 0 that takes what the OpenTelemetry
// exporters send (`POST /v1/traces` and `/v1/metrics` as OTLP JSON, the exporters' `http/json`
// protocol), keeps every request body as sent, and answers 200 as a collector does. Waits resolve
// on arriving exports, never on sleeps.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
}
export interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status?: { code?: number };
}
/** One `/v1/traces` request body (ExportTraceServiceRequest as OTLP JSON). */
export interface OtlpTraceExport {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope?: { name: string }; spans: OtlpSpan[] }[];
  }[];
}
/** A span with the resource it came from: which service and which instance sent it. */
export interface ReceivedSpan extends OtlpSpan {
  service: string;
  instance: string | undefined;
}

export interface OtlpRequest {
  path: string;
  contentType: string;
  body: unknown;
}

export interface OtlpReceiver {
  /** The endpoint to hand to OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** Every request received, in order, with its decoded JSON body. */
  readonly requests: OtlpRequest[];
  /** Every span received so far, flattened, with its service. */
  spans(): ReceivedSpan[];
  /** Resolves with the spans once `done` holds for them; rejects after `limitMs`. */
  waitForSpans(
    what: string,
    done: (spans: ReceivedSpan[]) => boolean,
    limitMs?: number,
  ): Promise<ReceivedSpan[]>;
  /** Resolves once `check` holds (tested on each request received); rejects after `limitMs`. */
  waitFor(what: string, check: () => boolean, limitMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** How long a wait for exports may take: the exporters batch (a few seconds by default). */
export const OTLP_WAIT_LIMIT_MS = 10_000;

/** The string value of attribute `key`, if present. */
export function attributeOf(attributes: OtlpAttribute[], key: string): string | undefined {
  const value = attributes.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  const raw = value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue;
  return raw === undefined ? undefined : String(raw);
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (a protobuf exporter): kept as text so the test shows what arrived.
        body = text;
      }
      requests.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function waitFor(what: string, check: () => boolean, limitMs = OTLP_WAIT_LIMIT_MS) {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(wake);
        const names = spans().map((s) => `${s.service}/${s.instance ?? ''}: ${s.name}`);
        const paths = requests.map((r) => r.path);
        reject(
          new Error(
            `timed out waiting for ${what}; requests: ${JSON.stringify(paths)}; spans: ${JSON.stringify(names)}`,
          ),
        );
      }, limitMs);
      const wake = () => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
    });
  }

  const spans = (): ReceivedSpan[] =>
    requests
      .filter((r) => r.path === '/v1/traces' && typeof r.body === 'object')
      .flatMap((r) =>
        (r.body as OtlpTraceExport).resourceSpans.flatMap((rs) => {
          const service = attributeOf(rs.resource.attributes, 'service.name') ?? '';
          const instance = attributeOf(rs.resource.attributes, 'service.instance.id');
          return rs.scopeSpans.flatMap((s) =>
            s.spans.map((span) => ({ ...span, service, instance })),
          );
        }),
      );

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans,
    waitForSpans(what, done, limitMs = OTLP_WAIT_LIMIT_MS) {
      return waitFor(what, () => done(spans()), limitMs).then(() => spans());
    },
    waitFor,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the exporters keep their connections alive
      }),
  };
}
