// The server side of the loops experiment (loops-experiment.ts, issue 17 point 8): bare uWS
// event loops on one port, as worker threads of one process or spread over processes. Each loop
// is an App listening on PORT (uSockets sets SO_REUSEPORT unless told otherwise, so the kernel
// spreads the connections over the loops), subscribes every fan to one topic, sends it a short
// hello on open, and publishes `perSec` frames a second to its own fans once told to: the way
// every loop of a shard would publish what it receives from the bus. A benchmark fixture, not
// the product.
//
// `PORT=<p> LOOPS_THREADS=<n> node --import tsx loadtest/src/loops-server.ts`: n loops, each a
// worker thread (one loop is one worker too, so that every layout runs the same code; the main
// thread only relays). Talks to its parent over IPC: {listening}, then {rate} starts publishing,
// {count} asks for the subscribers, summed over the loops.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Messages between the orchestrator, the process and its loops. */
export type LoopCommand = { kind: 'rate'; perSec: number } | { kind: 'count' };
export type LoopReport =
  | { kind: 'listening'; loops: number }
  | { kind: 'count'; subscribers: number; published: number; perLoop?: number[] };

// Plain CommonJS, evaluated in each worker: tsx's loader does not reach worker threads here.
const LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const uws = require(workerData.uws);
const TOPIC = 'b';
const FRAME = JSON.stringify({ type: 'chat', seq: 0, text: 'x'.repeat(160) }); // ~200 bytes
const app = uws.App();
let published = 0;
let timer;
app.ws('/ws', {
  compression: uws.DISABLED,
  maxBackpressure: 1024 * 1024,
  closeOnBackpressureLimit: 1,
  idleTimeout: 120,
  open: (ws) => {
    ws.subscribe(TOPIC);
    ws.send('{"type":"hello"}');
  },
});
app.listen('127.0.0.1', workerData.port, (listen) => {
  if (!listen) throw new Error('cannot listen on ' + workerData.port);
  parentPort.postMessage({ kind: 'listening', loops: 1 });
});
parentPort.on('message', (command) => {
  if (command.kind === 'count') {
    parentPort.postMessage({ kind: 'count', subscribers: app.numSubscribers(TOPIC), published });
    return;
  }
  if (timer) clearInterval(timer);
  if (command.perSec <= 0) return;
  const started = Date.now();
  const base = published;
  timer = setInterval(() => {
    const due = base + Math.floor(((Date.now() - started) * command.perSec) / 1000);
    for (; published < due; published++) app.publish(TOPIC, FRAME, false);
  }, 10);
});
`;

function main(): void {
  const port = Number(process.env.PORT);
  const threads = Math.max(1, Number(process.env.LOOPS_THREADS ?? 1));
  const uws = createRequire(import.meta.url).resolve('uWebSockets.js');
  const toParent = (r: LoopReport) => process.send!(r);
  const workers = Array.from(
    { length: threads },
    () => new Worker(LOOP, { eval: true, workerData: { port, uws } }),
  );
  let listening = 0;
  let counts: LoopReport[] = [];
  for (const worker of workers) {
    worker.on('message', (r: LoopReport) => {
      if (r.kind === 'listening' && ++listening === threads) {
        toParent({ kind: 'listening', loops: threads });
      }
      if (r.kind !== 'count') return;
      counts.push(r);
      if (counts.length < threads) return;
      const sum = (k: 'subscribers' | 'published') =>
        counts.reduce((s, c) => s + (c.kind === 'count' ? c[k] : 0), 0);
      const perLoop = counts.map((c) => (c.kind === 'count' ? c.subscribers : 0));
      toParent({
        kind: 'count',
        subscribers: sum('subscribers'),
        published: sum('published'),
        perLoop,
      });
      counts = [];
    });
  }
  process.on('message', (c: LoopCommand) => {
    for (const worker of workers) worker.postMessage(c);
  });
}

main();
