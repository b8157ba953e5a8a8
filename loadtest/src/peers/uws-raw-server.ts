// The ceiling peer: a bare uWebSockets.js server with one topic. Each chat message a client
// sends gets the next seq and is published on its own, unbatched, to every subscriber; uWS's C++
// loop does the per-socket work. No auth, no limits, no history, no batching: what fan-out costs
// with nothing else around it. Reaction taps are relayed one by one the same way. Messages are
// shaped like Fanfare's (same fields, same author sizes) so both put the same bytes on the wire.
// Env: HOST (127.0.0.1), PORT (0: any free port). Prints `listening <port>` once ready. A
// benchmark fixture, not part of the product.

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

interface Peer {
  author: { id: string; name: string; role: 'fan' };
}

interface ClientJson {
  type?: unknown;
  text?: unknown;
  emoji?: unknown;
  count?: unknown;
}

const TOPIC = 'chat';
/** Same policy as a Fanfare shard: a fan this far behind is closed, never silently skipped. */
const MAX_BACKPRESSURE_BYTES = 1024 * 1024;

const require = createRequire(import.meta.url);
const uws = require('uWebSockets.js') as typeof Uws;
// The package silently falls back to a slow JS implementation; the ceiling must be the real one.
if (!Function.prototype.toString.call(uws.App).includes('[native code]')) {
  console.error('uWebSockets.js did not load its native binary; refusing the JS fallback');
  process.exit(1);
}

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 0);
let seq = 0;
const app = uws.App();

app.ws<Peer>('/ws', {
  compression: uws.DISABLED,
  maxPayloadLength: 64 * 1024,
  idleTimeout: 120,
  maxBackpressure: MAX_BACKPRESSURE_BYTES,
  closeOnBackpressureLimit: 1,
  upgrade: (res, req, context) => {
    const id = `anon-${randomUUID()}`;
    res.upgrade<Peer>(
      { author: { id, name: `fan-${id.slice(5, 9)}`, role: 'fan' } },
      req.getHeader('sec-websocket-key'),
      req.getHeader('sec-websocket-protocol'),
      req.getHeader('sec-websocket-extensions'),
      context,
    );
  },
  open: (ws) => {
    ws.subscribe(TOPIC);
    ws.send(
      JSON.stringify({
        type: 'welcome',
        snapshot: { continuity: 'fresh', chat: [], lastSeq: seq },
      }),
    );
  },
  message: (ws, data) => {
    let msg: ClientJson;
    try {
      msg = JSON.parse(Buffer.from(data).toString('utf8')) as ClientJson;
    } catch {
      return; // Only the generator talks to this server; a bad frame is simply ignored.
    }
    if (msg.type === 'chat.send' && typeof msg.text === 'string') {
      seq++;
      const message = {
        id: `m${seq.toString(36)}`,
        seq,
        ts: Date.now(),
        author: ws.getUserData().author,
        text: msg.text,
      };
      app.publish(TOPIC, JSON.stringify({ type: 'chat', messages: [message] }), false);
    } else if (msg.type === 'react' && typeof msg.emoji === 'string') {
      const count = typeof msg.count === 'number' ? msg.count : 1;
      app.publish(
        TOPIC,
        JSON.stringify({ type: 'reactions', counts: { [msg.emoji]: count }, windowMs: 0 }),
        false,
      );
    }
  },
});
app.get('/healthz', (res) => {
  res.end('ok');
});

app.listen(host, port, (listenSocket) => {
  if (!listenSocket) {
    console.error(`cannot listen on ${host}:${port}`);
    process.exit(1);
  }
  process.stdout.write(`listening ${uws.us_socket_local_port(listenSocket)}\n`);
  const stop = (): void => {
    uws.us_listen_socket_close(listenSocket);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
