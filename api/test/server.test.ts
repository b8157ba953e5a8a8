// startApi over a real socket on a port the OS picks.

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { startApi } from '../src/index.js';
import { bodyText, jsonBodyLimit } from '../src/body-limit.js';
import { toProblem } from '../src/problem.js';
import { LISTEN_BACKLOG } from '../src/server.js';

/** startApi serves any Hono app; the full app's routes are tested in-process elsewhere. */
function healthApp() {
  return new Hono().get('/healthz', (c) => c.json({ status: 'ok' }));
}

/** A JSON route limited to 1 MiB, its 413 as the app's onError writes it. */
function limitedApp() {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .post('/upload', jsonBodyLimit(1024 * 1024), (c) => c.json({ ok: true }))
    .post('/echo', jsonBodyLimit(64), async (c) => c.json({ text: await bodyText(c, 64) }))
    .onError((err, c) => {
      const problem = toProblem(err, 'r1');
      return c.json(problem, problem.status);
    });
}

/** Reads whole HTTP/1.1 responses (Content-Length framed) off a raw socket, in order. */
function responses(socket: Socket) {
  let buffered = Buffer.alloc(0);
  const waiting: ((head: string) => void)[] = [];
  const ready: string[] = [];
  let ended = false;
  const pump = () => {
    for (;;) {
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = buffered.subarray(0, headEnd).toString();
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < headEnd + 4 + length) return;
      buffered = buffered.subarray(headEnd + 4 + length);
      const waiter = waiting.shift();
      if (waiter) waiter(head);
      else ready.push(head);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    pump();
  });
  socket.on('close', () => {
    ended = true;
    for (const waiter of waiting.splice(0)) waiter('closed');
  });
  return {
    next: () =>
      new Promise<string>((resolve) => {
        const head = ready.shift();
        if (head !== undefined) resolve(head);
        else if (ended) resolve('closed');
        else waiting.push(resolve);
      }),
  };
}

describe('startApi', () => {
  it('answers a body over the limit, written in one go, with 413 and keeps the connection', async () => {
    const api = await startApi({ app: limitedApp(), host: '127.0.0.1', port: 0 });
    const socket = connect(api.port, '127.0.0.1');
    const errors: Error[] = [];
    socket.on('error', (err) => errors.push(err));
    try {
      const read = responses(socket);
      const body = Buffer.alloc(4 * 1024 * 1024, 0x61);
      const head =
        'POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\n\r\n`;
      const written = new Promise<void>((resolve, reject) =>
        socket.write(Buffer.concat([Buffer.from(head), body]), (err) =>
          err ? reject(err) : resolve(),
        ),
      );
      expect(await read.next()).toMatch(/^HTTP\/1\.1 413 /);
      // The server reads the rest of the body instead of resetting the connection under the
      // client's write, and the connection serves the next request.
      await written;
      socket.write('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
      expect(await read.next()).toMatch(/^HTTP\/1\.1 200 /);
      expect(errors).toEqual([]);
    } finally {
      socket.destroy();
      await api.close();
    }
  });

  it('answers every fetch of a body over the limit with 413, never a broken connection', async () => {
    const api = await startApi({ app: limitedApp(), host: '127.0.0.1', port: 0 });
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        try {
          const res = await fetch(`http://127.0.0.1:${api.port}/upload`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: new Uint8Array(1024 * 1024 + 100),
          });
          await res.text();
          outcomes.push(String(res.status));
        } catch (err) {
          outcomes.push(String((err as { cause?: { code?: string } }).cause?.code ?? err));
        }
      }
      expect(outcomes).toEqual(Array<string>(20).fill('413'));
    } finally {
      await api.close();
    }
  });

  it('reads a small body from the socket, framed by length or chunked, within the limit', async () => {
    const api = await startApi({ app: limitedApp(), host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${api.port}/echo`;
    const post = async (body: BodyInit, headers: Record<string, string> = {}) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
      return { status: res.status, body: (await res.json()) as { text?: string; code?: string } };
    };
    const chunked = (parts: string[]) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });
    try {
      // Content-Length framing: read straight from the request stream, multi-byte text intact.
      expect(await post('{"name":"Zoë ✓"}')).toEqual({
        status: 200,
        body: { text: '{"name":"Zoë ✓"}' },
      });
      expect(await post('')).toEqual({ status: 200, body: { text: '' } });
      expect((await post('x'.repeat(65))).status).toBe(413);
      // Chunked (no length): through Hono's limit and reader, the same answers.
      expect(await post(chunked(['{"a":', '1}']))).toEqual({
        status: 200,
        body: { text: '{"a":1}' },
      });
      expect((await post(chunked(['x'.repeat(40), 'y'.repeat(40)]))).status).toBe(413);
    } finally {
      await api.close();
    }
  });

  it('listens on a free port, answers /healthz over HTTP, and closes', async () => {
    const app = healthApp();
    const api = await startApi({ app, host: '127.0.0.1', port: 0 });
    try {
      expect(api.port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${api.port}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    } finally {
      await api.close();
    }
    // Closed means closed: a new connection is refused, and close() stays idempotent.
    await expect(fetch(`http://127.0.0.1:${api.port}/healthz`)).rejects.toThrow();
    await expect(api.close()).resolves.toBeUndefined();
  });

  it('queues up to LISTEN_BACKLOG unaccepted connections (capped by the kernel), not 511', async () => {
    const api = await startApi({ app: healthApp(), host: '127.0.0.1', port: 0 });
    try {
      const cap = Number((await readFile('/proc/sys/net/core/somaxconn', 'utf8')).trim());
      // `ss` shows a listening socket's backlog in its Send-Q column.
      const line = execFileSync('ss', ['-ltnH', `sport = :${api.port}`], { encoding: 'utf8' });
      const sendQ = Number(line.trim().split(/\s+/)[2]);
      expect(sendQ).toBe(Math.min(LISTEN_BACKLOG, cap));
      expect(sendQ).toBeGreaterThan(511);
    } finally {
      await api.close();
    }
  });

  it('rejects when the port is already taken', async () => {
    const app = healthApp();
    const first = await startApi({ app, host: '127.0.0.1', port: 0 });
    try {
      await expect(startApi({ app, host: '127.0.0.1', port: first.port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });
});
