// Admission control end to end with Node's `ws`: a shard whose budget is spent refuses the second
// fan's upgrade with 503 overloaded; the SDK reads its Retry-After, waits it plus jitter (not its
// 20 ms backoff), and gets in once the budget refills.

import WebSocket from 'ws';
import { afterEach, expect, it } from 'vitest';
import { FanfareClient, type ReconnectInfo } from '../src/index.js';
import { join, startTestEngine, type Engine } from './engine.js';
import { waitFor } from './wait-for.js';

let engine: Engine | undefined;
const clients: FanfareClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await engine?.close();
});

it('waits out a refused upgrade as Retry-After says, then is admitted', async () => {
  // One upgrade at once, one more every 4 s: Bob's upgrade must come before the budget refills,
  // so both tokens are fetched first and the refill is slow enough that a loaded machine's
  // stall between Ann's welcome and Bob's upgrade does not let him straight in (at 1/s, an API
  // join between them took part of that second).
  engine = await startTestEngine({ GATEWAY_ADMISSION_RATE: '0.25/1' });
  const fan = async (name: string) => {
    const { token, gatewayUrl } = await join(engine!, name);
    const client = new FanfareClient({
      url: gatewayUrl,
      token,
      WebSocket,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    clients.push(client);
    return client;
  };
  const first = await fan('Ann');
  const second = await fan('Bob');
  const firstIn = waitFor(first, 'welcome');
  first.connect();
  await firstIn;

  const retried = waitFor(second, 'reconnecting');
  const secondIn = waitFor(second, 'welcome');
  second.connect();
  const info: ReconnectInfo = await retried;
  expect(info.reason).toBe('upgrade refused with 503');
  // Retry-After is at least 1 s: far past the 20 ms backoff this client would otherwise use.
  expect(info.delayMs).toBeGreaterThanOrEqual(1000);
  expect((await secondIn).user.name).toBe('Bob');
}, 60_000);
