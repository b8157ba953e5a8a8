// What tracing costs the chat path: one process appends MESSAGES chat records to one event's
// JetStream log (64 in flight) and follows the event, as a shard does, on the local nats-server;
// it reports the process's CPU time per message (append and delivery together), which a loaded
// machine inflates less than a rate. One mode per process, since the OTel SDK is process-wide:
//
//   pnpm exec tsx fanout/test/bench-trace-cost.ts off        # no tracer (OTLP endpoint unset)
//   pnpm exec tsx fanout/test/bench-trace-cost.ts on         # SDK on, every message sampled
//   pnpm exec tsx fanout/test/bench-trace-cost.ts unsampled  # SDK on, sampler ratio 0
//
// `on` and `unsampled` export to a local OTLP receiver (testkit's). NATS_URL picks the server.

import { randomUUID } from 'node:crypto';
import { startOtlpReceiver } from '@fanfare/testkit';
import { connectNats } from '../src/nats-connection.js';
import { JetStreamEventLog } from '../src/event-log-jetstream.js';
import { silentLogger } from '../src/logger.js';
import { createSubjects } from '../src/subjects.js';
import { startTracing } from '../src/tracing.js';

const MESSAGES = Number(process.env.MESSAGES ?? 20_000);
const IN_FLIGHT = 64;
const WARMUP = 2_000;
const mode = process.argv[2] ?? 'off';
if (!['off', 'on', 'unsampled'].includes(mode)) throw new Error(`unknown mode ${mode}`);

const receiver = mode === 'off' ? undefined : await startOtlpReceiver();
if (mode === 'unsampled') {
  process.env.OTEL_TRACES_SAMPLER = 'traceidratio';
  process.env.OTEL_TRACES_SAMPLER_ARG = '0';
}
const tracing = await startTracing({
  endpoint: receiver?.url,
  serviceName: 'bench',
  tracerName: 'bench',
  context: process.env.OTEL_CONTEXT === 'async' ? 'async' : 'sync',
});
const link = await connectNats({
  servers: [process.env.NATS_URL ?? 'nats://127.0.0.1:4222'],
  name: 'bench-trace-cost',
  logger: silentLogger,
});
const prefix = `bench${randomUUID().slice(0, 8)}`;
const log = new JetStreamEventLog({
  connection: link,
  ownsConnection: false,
  subjects: createSubjects(prefix),
  logger: silentLogger,
  tracer: tracing?.tracer,
});
const eventId = 'evt1';
const payload = new TextEncoder().encode(JSON.stringify({ text: 'x'.repeat(80), user: 'u1' }));

let delivered = 0;
let want = 0;
let reached: (() => void) | undefined;
const sub = log.follow(eventId, () => {
  delivered++;
  if (delivered === want) reached?.();
});

async function run(count: number, from: number): Promise<void> {
  want = delivered + count;
  const all = new Promise<void>((resolve) => (reached = resolve));
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = from + next++;
      await log.append(eventId, payload, `m${i}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await all;
}

await run(WARMUP, 0);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(MESSAGES, WARMUP);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuUs = cpu.user + cpu.system;

sub.unsubscribe();
const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(link.nc);
await jsm.streams.delete(createSubjects(prefix).logStream(eventId)).catch(() => false);
await log.close();
await link.close();
await tracing?.close();
const spans = receiver?.spans().length ?? 0;
await receiver?.close();
process.stdout.write(
  `${JSON.stringify({
    mode,
    messages: MESSAGES,
    cpuUsPerMessage: Math.round((cpuUs / MESSAGES) * 10) / 10,
    messagesPerSec: Math.round(MESSAGES / (wallMs / 1000)),
    spansExported: spans,
  })}\n`,
);
