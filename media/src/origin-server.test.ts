// The listener: HTTP/2 over TLS when a certificate is configured (HTTP/1.1 still served through
// ALPN), and the health and readiness endpoints.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:http2';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Origin } from './origin.js';
import { OriginServer } from './origin-server.js';
import { mintPlaybackToken } from './playback-token.js';
import { syntheticStream } from './stream-testing.js';

const SECRET = Buffer.alloc(32, 3);

function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fanfare-tls-'));
  try {
    const out = spawnSync('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
      ...['-nodes', '-subj', '/CN=localhost', '-days', '1'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ]);
    if (out.status !== 0) throw new Error(`openssl failed: ${out.stderr.toString()}`);
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('origin over TLS', () => {
  let server: OriginServer;
  let tls: { cert: string; key: string };
  let path: string;

  beforeAll(async () => {
    tls = selfSigned();
    const live = syntheticStream('demo', Date.now);
    live.feed(6);
    const origin = new Origin({
      stream: (id) => (id === 'demo' ? live.stream : undefined),
      tokenSecret: SECRET,
      now: Date.now,
      corsOrigin: '*',
    });
    server = new OriginServer(origin, { host: '127.0.0.1', port: 0, tls });
    await server.start();
    const token = mintPlaybackToken(SECRET, { eventId: 'demo', viewerId: 'v', exp: 4e9 });
    path = `/live/demo/${token}/360p/index.m3u8`;
  });

  afterAll(async () => {
    await server.close();
  });

  it('speaks HTTP/2 to a client that offers h2', async () => {
    const session = connect(`https://localhost:${server.port}`, { ca: tls.cert });
    try {
      const { status, body, protocol } = await new Promise<{
        status: number;
        body: string;
        protocol: string | undefined;
      }>((resolve, reject) => {
        const req = session.request({ ':path': path });
        let body = '';
        let status = 0;
        req.on('response', (headers) => (status = Number(headers[':status'])));
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => resolve({ status, body, protocol: session.alpnProtocol }));
        req.on('error', reject);
      });
      expect(protocol).toBe('h2');
      expect(status).toBe(200);
      expect(body).toContain('#EXT-X-PART-INF');
    } finally {
      session.close();
    }
  });

  it('still serves HTTP/1.1 over TLS', async () => {
    const { status, version } = await new Promise<{ status: number; version: string }>(
      (resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: server.port, path, ca: tls.cert, servername: 'localhost' },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, version: res.httpVersion }));
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    expect(version).toBe('1.1');
    expect(status).toBe(200);
  });

  it('answers /healthz and /readyz while running', async () => {
    const session = connect(`https://localhost:${server.port}`, { ca: tls.cert });
    try {
      for (const p of ['/healthz', '/readyz']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = session.request({ ':path': p });
          req.on('response', (h) => resolve(Number(h[':status'])));
          req.on('error', reject);
          req.resume();
        });
        expect(status, p).toBe(200);
      }
    } finally {
      session.close();
    }
  });
});
