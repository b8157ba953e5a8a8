// One user's sockets on a shard are capped: past the cap the oldest is closed with 4502
// `session_limit` and the newer ones keep working; other users are not touched.

import { Close } from '@fanfare/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

describe('sockets per user', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('closes the oldest socket of a user past the cap with 4502 and keeps the rest', async () => {
    g = await startGateway({ maxSocketsPerUser: 2 });
    const { fan: other } = await g.join({ sub: 'someone-else' });
    const { fan: first } = await g.join({ sub: 'greedy' });
    const { fan: second } = await g.join({ sub: 'greedy' });
    const { fan: third } = await g.join({ sub: 'greedy' });
    expect((await first.closed).code).toBe(Close.sessionLimit);
    for (const [fan, ref] of [
      [second, 's'],
      [third, 't'],
      [other, 'o'],
    ] as const) {
      fan.send({ type: 'ping', ref });
      expect((await fan.next('pong')).ref).toBe(ref);
    }
    // A socket closed by its user frees its place: a new one closes nothing.
    third.close();
    await third.closed;
    const { fan: fourth } = await g.join({ sub: 'greedy' });
    second.send({ type: 'ping', ref: 'still' });
    expect((await second.next('pong')).ref).toBe('still');
    fourth.close();
  });
});
