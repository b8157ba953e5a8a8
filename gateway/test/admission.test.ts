import { connectFan, expectRefused } from '@fanfare/testkit';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../src/index.js';
import { startGateway, type TestGateway } from './harness.js';

describe('admission control at upgrade', () => {
  let g: TestGateway;
  beforeAll(async () => {
    // A burst of 2 and a refill of one token per 1,000 s: the third upgrade finds it spent.
    g = await startGateway({
      admission: { spec: { ratePerSecond: 0.001, burst: 2 }, source: 'variable' },
    });
  });
  afterAll(async () => {
    await g.close();
  });

  it('admits the budget, then refuses with 503 overloaded and a Retry-After before reading the token', async () => {
    await g.join();
    await g.join();
    // A token that would be `token_invalid`: the budget is checked before it is read.
    const r = await expectRefused(`${g.url}?token=not-a-token`);
    expect([r.status, r.reason]).toEqual([503, 'overloaded']);
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'overloaded' });
    const valid = await expectRefused(`${g.url}?token=${await g.sign()}`);
    expect(valid.reason).toBe('overloaded');
  });

  it('counts the refusals by reason and exposes the budget', async () => {
    const text = await g.gateway.metrics.registry.metrics();
    expect(text).toMatch(/fanfare_gateway_upgrades_refused_total\{reason="overloaded"[^}]*\} 2/);
    expect(text).toMatch(/fanfare_gateway_admission_rate\{[^}]*\} 0\.001/);
    // The same count goes to the shard registry with each heartbeat.
    expect(g.gateway.shardState(g.url).refusedOverloaded).toBe(2);
  });
});

describe('the admission cost of an upgrade', () => {
  const started: TestGateway[] = [];
  /** A budget of `burst` that does not refill during the test, and a cluster ticket key. */
  const start = async (burst: number) => {
    const overrides: Partial<GatewayConfig> = {
      admission: { spec: { ratePerSecond: 0.001, burst }, source: 'variable' },
      resumeTickets: { keys: [{ id: 'k1', secret: randomBytes(32) }], ttlS: 300 },
    };
    const g = await startGateway(overrides);
    started.push(g);
    return g;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((g) => g.close()));
  });

  it('charges a resume ticket less than a token', async () => {
    // 4 = one token (1) and four tickets (4 x 0.7); were a ticket charged as a token, the
    // fourth would be refused.
    const g = await start(4);
    const { welcome } = await g.join();
    const ticket = welcome.resumeTicket!.ticket;
    for (let i = 0; i < 4; i += 1) {
      const fan = await connectFan(`${g.url}?ticket=${ticket}`);
      await fan.next('welcome');
      fan.socket.terminate();
    }
    const r = await expectRefused(`${g.url}?ticket=${ticket}`);
    expect(r.reason).toBe('overloaded');
  });

  it('charges a token as a token even when another parameter’s name ends in ticket, or the ticket is empty', async () => {
    // 3 = three tokens. Charged as tickets (3 x 0.7), they would leave room for a fourth.
    const g = await start(3);
    await g.join({}, {}, '&xticket=1');
    await g.join({}, {}, '&ticket=');
    await g.join({}, {}, '&a=1&foo_ticket=2');
    const r = await expectRefused(`${g.url}?token=${await g.sign()}&xticket=1`);
    expect(r.reason).toBe('overloaded');
  });
});
