import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { closeListenSockets, listenSockets, type Listening } from './listen-sockets.js';
import { loadNativeUws } from './uws.js';

const uws = loadNativeUws();

/** Listening TCP sockets on 127.0.0.1:`port` and their backlogs, from /proc/net/tcp. */
async function listeners(port: number): Promise<number> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return table
    .split('\n')
    .slice(1)
    .filter((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === local && f[3] === '0A'; // 0A: LISTEN
    }).length;
}

function answers(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.end('GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    let body = '';
    socket.on('data', (d: Buffer) => (body += d.toString()));
    socket.on('close', () => resolve(body));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('listenSockets', () => {
  let open: Listening | undefined;
  afterEach(() => {
    if (open) closeListenSockets(uws, open.sockets);
    open = undefined;
  });

  function app() {
    return uws.App().get('/ping', (res) => void res.end('pong'));
  }

  it('listens several times on a fixed port, so the backlogs add up, and answers through them', async () => {
    const port = await freePort();
    open = await listenSockets(uws, app(), '127.0.0.1', port, 4);
    expect(open.port).toBe(port);
    expect(open.sockets).toHaveLength(4);
    expect(await listeners(port)).toBe(4);
    // The kernel hashes each connection to one of the four; all of them must be answered.
    const replies = await Promise.all(Array.from({ length: 64 }, () => answers(port)));
    expect(replies.every((r) => r.endsWith('pong'))).toBe(true);
  });

  it('listens once on port 0 (no SO_REUSEPORT there) and reports the port it got', async () => {
    open = await listenSockets(uws, app(), '127.0.0.1', 0, 4);
    expect(open.sockets).toHaveLength(1);
    expect(open.port).toBeGreaterThan(0);
    expect(await listeners(open.port)).toBe(1);
  });

  it('stops listening on every socket when closed', async () => {
    const port = await freePort();
    const listening = await listenSockets(uws, app(), '127.0.0.1', port, 3);
    closeListenSockets(uws, listening.sockets);
    expect(listening.sockets).toHaveLength(0);
    expect(await listeners(port)).toBe(0);
    expect(await answers(port)).toBe('ECONNREFUSED');
  });

  it('fails with the address when the port is held by a socket without SO_REUSEPORT', async () => {
    const first = await listenSockets(uws, app(), '127.0.0.1', 0);
    try {
      await expect(listenSockets(uws, app(), '127.0.0.1', first.port, 2)).rejects.toThrow(
        `gateway could not listen on 127.0.0.1:${first.port}`,
      );
    } finally {
      closeListenSockets(uws, first.sockets);
    }
  });
});
