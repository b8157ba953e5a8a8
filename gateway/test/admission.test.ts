import { expectRefused } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
