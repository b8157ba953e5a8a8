// The producer's run of a show in the embedded engine (`pnpm start`): the token printed at
// start-up creates an event, opens a poll two fans vote in (a second vote refused), closes it,
// reads the persisted result, and deletes a chat message that then disappears for everyone.

import { runProducerFlow } from '@fanfare/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '@fanfare/gateway';
import { startEngine, type Engine } from '../src/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine(
    { API_PORT: '0', GATEWAY_PORT: '0', PGLITE_DATA_DIR: 'memory', EMBEDDED_MEDIA: 'off' },
    { apiLogger: silentLogger, gatewayLogger: silentLogger },
  );
});
afterAll(() => engine.close());

it('runs a poll and deletes a message end to end with the printed producer token', async () => {
  const run = await runProducerFlow({
    apiUrl: engine.apiUrl,
    producerToken: engine.producerToken,
    eventId: 'embedded-show',
  });
  try {
    expect(run.result).toEqual({ counts: [1, 1], total: 2 });
    expect(run.talliesSeen).toEqual([2, 2]);
    for (const poll of run.closedStages) {
      expect(poll).toMatchObject({ state: 'closed', result: { counts: [1, 1], total: 2 } });
    }
    expect(run.lateJoinerChat).toEqual(['keep me']);
  } finally {
    for (const fan of run.fans) fan.close();
  }
});
