// The Socket.IO 4 peer: the chat server most teams would write first. WebSocket transport only,
// no compression; each chat message gets the next seq and is broadcast with `io.emit`, which
// Socket.IO encodes once and then writes per socket in JavaScript. With REDIS_URL it runs as
// one of several processes joined by @socket.io/redis-adapter; the load tester sends every
// sender to the first process, so one process numbers the messages and the adapter carries them
// to the others in order. Messages are shaped like Fanfare's so both put the same bytes on the
// wire. Env: HOST, PORT (0: any), REDIS_URL, REDIS_KEY (the adapter's channel prefix, one per run).
// Prints `listening <port>` once ready. A benchmark fixture, not part of the product.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

interface ClientJson {
  text?: unknown;
  emoji?: unknown;
  count?: unknown;
}

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL;

const http = createServer((req, res) => {
  // Socket.IO answers its own path before this handler runs; everything else is health.
  if (req.url === '/healthz') res.writeHead(200).end('ok');
  else res.writeHead(404).end();
});
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  httpCompression: false,
  maxHttpBufferSize: 64 * 1024,
  pingInterval: 25_000,
  pingTimeout: 60_000,
});

let pub: Redis | undefined;
let sub: Redis | undefined;
if (redisUrl !== undefined && redisUrl !== '') {
  pub = new Redis(redisUrl);
  sub = pub.duplicate();
  io.adapter(createAdapter(pub, sub, { key: process.env.REDIS_KEY ?? 'loadtest-socketio' }));
}

let seq = 0;
io.on('connection', (socket) => {
  const id = `anon-${randomUUID()}`;
  const author = { id, name: `fan-${id.slice(5, 9)}`, role: 'fan' };
  socket.emit('welcome', {
    type: 'welcome',
    snapshot: { continuity: 'fresh', chat: [], lastSeq: seq },
  });
  socket.on('chat.send', (msg: ClientJson) => {
    if (typeof msg?.text !== 'string') return;
    seq++;
    const message = { id: `m${seq.toString(36)}`, seq, ts: Date.now(), author, text: msg.text };
    io.emit('chat', { type: 'chat', messages: [message] });
  });
  socket.on('react', (msg: ClientJson) => {
    if (typeof msg?.emoji !== 'string') return;
    const count = typeof msg.count === 'number' ? msg.count : 1;
    io.emit('reactions', { type: 'reactions', counts: { [msg.emoji]: count }, windowMs: 0 });
  });
});

http.listen(port, host, () => {
  const address = http.address();
  process.stdout.write(
    `listening ${typeof address === 'object' && address ? address.port : port}\n`,
  );
});

const stop = (): void => {
  void io.close();
  pub?.disconnect();
  sub?.disconnect();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
