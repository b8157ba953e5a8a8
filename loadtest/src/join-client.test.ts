import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JoinClient, JoinError, staleKeepAlive } from './join-client.js';

const GRANT = JSON.stringify({ token: 't', gatewayUrl: 'ws://127.0.0.1:1/ws' });

/**
 * An API that answers the first request of every connection and drops the connection, unread,
 * when a second one arrives on it: the keep-alive race, made certain.
 */
async function apiClosingKeptAlive(): Promise<{ url: string; close(): Promise<void> }> {
  const served = new WeakSet<Socket>();
  const server = createServer((req, res) => {
    if (served.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    served.add(req.socket);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(GRANT);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('JoinClient', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it('sends a join again on a fresh socket when the API closed the kept-alive one', async () => {
    const api = await apiClosingKeptAlive();
    const client = new JoinClient(api.url, 1);
    cleanup.push(() => client.close(), api.close);
    for (let i = 0; i < 5; i++) {
      await expect(client.join('demo', 5000)).resolves.toEqual(JSON.parse(GRANT));
    }
    // Every join after the first met the closed socket once.
    expect(client.staleRetries).toBe(4);
  });

  it('does not resend a request that failed on a fresh socket', async () => {
    const server = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new JoinClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1);
    cleanup.push(
      () => client.close(),
      () => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    const failure = await client.join('demo', 5000).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(JoinError);
    expect((failure as JoinError).status).toBe(0);
    expect(client.staleRetries).toBe(0);
  });

  it('names the unreachable shard in the body, with the previous token', async () => {
    const seen: Array<{ body: string; auth: string | undefined }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ body, auth: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'application/json' }).end(GRANT);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new JoinClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1);
    cleanup.push(
      () => client.close(),
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    await client.join('demo', 5000, 'old', 'ws://127.0.0.1:9/ws?traceparent=x');
    await client.join('demo', 5000);
    expect(seen).toEqual([
      { body: '{"unreachable":"ws://127.0.0.1:9/ws?traceparent=x"}', auth: 'Bearer old' },
      { body: '{}', auth: undefined },
    ]);
  });

  it('treats only a reset or broken pipe on a reused socket as stale', () => {
    expect(staleKeepAlive(true, { code: 'ECONNRESET' })).toBe(true);
    expect(staleKeepAlive(true, { code: 'EPIPE' })).toBe(true);
    expect(staleKeepAlive(false, { code: 'ECONNRESET' })).toBe(false);
    expect(staleKeepAlive(true, { code: 'ECONNREFUSED' })).toBe(false);
  });
});
