// The shard counts the fans it admits by the placement their token carries (`plc`) and reports
// the counts in its registry entry (`admitted`), so the API knows which of its assignments have
// connected (api/src/gateway-picker.ts). A token without a placement, or with a malformed one,
// is admitted and counted nowhere.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

describe('admissions by placement in the shard registry entry', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(async () => {
    await g.close();
  });

  it('counts each admitted fan under its placement’s replica and second', async () => {
    const s = Math.floor(Date.now() / 1000);
    await g.join({ extra: { plc: { r: 'api1', s } } });
    await g.join({ extra: { plc: { r: 'api1', s } } });
    await g.join({ extra: { plc: { r: 'api2', s: s - 1 } } });
    await g.join(); // no placement
    await g.join({ extra: { plc: { r: 'not a replica id!', s } } });
    await g.join({ extra: { plc: 'api1:1' } });
    const state = g.gateway.shardState(g.url);
    expect(state.fans).toBe(6);
    expect(state.admitted).toEqual({ api1: { [s]: 2 }, api2: { [s - 1]: 1 } });
  });
});
