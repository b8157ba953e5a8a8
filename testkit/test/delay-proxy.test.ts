// The delay proxy: each direction is delayed by its own base (so a path can be asymmetric),
// jitter never reorders bytes, and a bandwidth cap stretches a large write over its size.

import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from '../src/delay-proxy.js';

/** An echo server that stamps nothing: what arrives goes straight back. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, port: (server.address() as AddressInfo).port };
}

async function open(proxy: DelayProxy): Promise<Socket> {
  const socket = connect(proxy.port, proxy.host);
  await new Promise<void>((ok) => socket.once('connect', ok));
  socket.setNoDelay(true);
  return socket;
}

/** Reads from `socket` until `bytes` have arrived; resolves with them and the time they took. */
function readBytes(socket: Socket, bytes: number): Promise<{ data: Buffer; ms: number }> {
  const start = performance.now();
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((ok) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= bytes) {
        socket.off('data', onData);
        ok({ data: Buffer.concat(chunks), ms: performance.now() - start });
      }
    };
    socket.on('data', onData);
  });
}

describe('startDelayProxy', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function proxyToEcho(up: number, down: number, extra: object = {}) {
    const echo = await echoServer();
    const proxy = await startDelayProxy({
      target: { host: '127.0.0.1', port: echo.port },
      up: { baseMs: up },
      down: { baseMs: down },
      ...extra,
    });
    closers.push(
      () => proxy.close(),
      () => new Promise((ok) => echo.server.close(() => ok())),
    );
    return proxy;
  }

  it('adds both directions delays to a round trip, and no more than the machine adds', async () => {
    const proxy = await proxyToEcho(700, 300);
    const socket = await open(proxy);
    const reply = readBytes(socket, 4);
    socket.write('ping');
    const { data, ms } = await reply;
    expect(data.toString()).toBe('ping');
    // Each direction may release up to 0.5 ms early (the proxy's flush tolerance).
    expect(ms).toBeGreaterThanOrEqual(999);
    // Below twice the delays (less the same 1 ms): a delay applied twice fails, and a loaded
    // machine has a whole second to add before a correct proxy does (a long delay costs no CPU).
    expect(ms).toBeLessThan(2 * 1000 - 1);
    socket.destroy();
  });

  it('keeps bytes in order under jitter larger than the gap between writes', async () => {
    const echo = await echoServer();
    const proxy = await startDelayProxy({
      target: { host: '127.0.0.1', port: echo.port },
      up: { baseMs: 5, jitterMs: 50 },
      down: { baseMs: 5, jitterMs: 50 },
    });
    closers.push(
      () => proxy.close(),
      () => new Promise((ok) => echo.server.close(() => ok())),
    );
    const socket = await open(proxy);
    const count = 200;
    const reply = readBytes(socket, count * 4);
    for (let i = 0; i < count; i++) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(i);
      socket.write(b);
      if (i % 20 === 0) await new Promise((ok) => setTimeout(ok, 1));
    }
    const { data } = await reply;
    const seen = Array.from({ length: count }, (_, i) => data.readUInt32BE(i * 4));
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
    socket.destroy();
  });

  it('spreads a large write over its size at the bandwidth cap', async () => {
    const echo = await echoServer();
    const proxy = await startDelayProxy({
      target: { host: '127.0.0.1', port: echo.port },
      up: { baseMs: 0 },
      down: { baseMs: 0, bytesPerSecond: 1_000_000 },
    });
    closers.push(
      () => proxy.close(),
      () => new Promise((ok) => echo.server.close(() => ok())),
    );
    const socket = await open(proxy);
    const size = 200_000; // 200 ms at 1 MB/s
    const reply = readBytes(socket, size);
    socket.write(Buffer.alloc(size, 7));
    const { ms } = await reply;
    expect(ms).toBeGreaterThanOrEqual(190);
    socket.destroy();
  });

  it('holds every byte towards the client while stalled and releases them in order on resume', async () => {
    const proxy = await proxyToEcho(0, 0);
    const socket = await open(proxy);
    const first = readBytes(socket, 3);
    socket.write('one');
    expect((await first).data.toString()).toBe('one');
    proxy.stall();
    const chunks: string[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d.toString()));
    socket.write('two');
    socket.write('three');
    // A negative: nothing may arrive while stalled (the echo answers within a millisecond).
    await new Promise((ok) => setTimeout(ok, 100));
    expect(chunks).toEqual([]);
    proxy.resume();
    proxy.resume();
    await new Promise<void>((ok) => {
      const check = () => (chunks.join('') === 'twothree' ? ok() : setTimeout(check, 5));
      check();
    });
    expect(chunks.join('')).toBe('twothree');
    socket.destroy();
  });
});
