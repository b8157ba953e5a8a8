// startApi over a real socket on a port the OS picks.

import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { startApi } from '../src/index.js';

/** startApi serves any Hono app; the full app's routes are tested in-process elsewhere. */
function healthApp() {
  return new Hono().get('/healthz', (c) => c.json({ status: 'ok' }));
}

describe('startApi', () => {
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
