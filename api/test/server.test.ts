// startApi over a real socket on a port the OS picks.

import { describe, expect, it } from 'vitest';
import { MemoryBus, MemorySanctionStore, createSubjects } from '@fanfare/fanout';
import {
  Moderation,
  createApp,
  DEMO_EVENT,
  MemoryEventDirectory,
  SigningKeys,
  startApi,
  TokenIssuer,
} from '../src/index.js';

function newModeration(): Moderation {
  return new Moderation({
    store: new MemorySanctionStore(),
    bus: new MemoryBus(),
    subjects: createSubjects('test'),
  });
}

describe('startApi', () => {
  it('listens on a free port, answers /healthz over HTTP, and closes', async () => {
    const keys = await SigningKeys.generate();
    const app = createApp({
      keys,
      issuer: new TokenIssuer({ keys }),
      events: new MemoryEventDirectory([DEMO_EVENT]),
      moderation: newModeration(),
      gatewayUrl: () => 'ws://127.0.0.1:1/ws',
    });
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
    const keys = await SigningKeys.generate();
    const app = createApp({
      keys,
      issuer: new TokenIssuer({ keys }),
      events: new MemoryEventDirectory([]),
      moderation: newModeration(),
      gatewayUrl: () => 'ws://127.0.0.1:1/ws',
    });
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
