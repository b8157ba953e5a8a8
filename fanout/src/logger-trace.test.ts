// The JSON logger names the span a line was written in: with tracing on (the SDK started by
// tracing.ts, exporting to a real OTLP receiver), a line inside an active span carries its trace
// and span ids; a line outside any span carries none.

import { startOtlpReceiver, type OtlpReceiver } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLogger } from './logger.js';
import { startTracing, type Tracing } from './tracing.js';

let receiver: OtlpReceiver;
let tracing: Tracing | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = await startTracing({
    endpoint: receiver.url,
    serviceName: 'logger-test',
    tracerName: 'logger-test',
  });
});
afterAll(async () => {
  await tracing?.close();
  await receiver.close();
});

/** The JSON lines `work` writes to stdout. */
function linesOf(work: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    written.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    work();
  } finally {
    process.stdout.write = write;
  }
  return written.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('trace ids in JSON log lines', () => {
  it('is off without an endpoint', async () => {
    const off = await startTracing({ endpoint: undefined, serviceName: 'x', tracerName: 'x' });
    expect(off).toBeUndefined();
  });

  it('writes the active span’s trace and span ids', () => {
    const logger = jsonLogger({ shard: 'g1' });
    let ids = { traceId: '', spanId: '' };
    const [line] = linesOf(() =>
      tracing!.tracer.startActiveSpan('work', (span) => {
        const { traceId, spanId } = span.spanContext();
        ids = { traceId, spanId };
        logger.info('inside');
        span.end();
      }),
    );
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line).toMatchObject({ msg: 'inside', shard: 'g1', ...ids });
  });

  it('writes none outside a span', () => {
    const [line] = linesOf(() => jsonLogger().info('outside'));
    expect(line).toMatchObject({ msg: 'outside' });
    expect(line).not.toHaveProperty('traceId');
  });
});
