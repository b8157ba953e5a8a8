// Pre-warmed rooms (room-warmer.ts): the API's signal on the bus opens the event's room before
// any fan, the first fan then finds it open, a second signal renews the lease without a second
// reference, and the room closes when the lease ends with no fan left.

import { createSubjects, encodePrewarmSignal } from '@fanfare/fanout';
import { ManualClock } from '@fanfare/fanout/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOM_WARM_LEASE_MS } from '../src/room-warmer.js';
import { startGateway, type TestGateway } from './harness.js';

async function opens(g: TestGateway): Promise<number> {
  const text = await g.gateway.metrics.registry.getSingleMetricAsString(
    'fanfare_gateway_room_opens_total',
  );
  return Number(/ (\d+)$/m.exec(text)?.[1]);
}

describe('pre-warm', () => {
  let g: TestGateway | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  it('opens the room before any fan and holds it for the lease', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const subject = createSubjects(g.gateway.config.prefix).prewarm();
    const state = () => g!.gateway.shardState('ws://x/ws');
    expect(state()).toMatchObject({ warm: [], events: {} });
    expect(state().jwks).toEqual({ kids: ['k1'], fetchedAt: expect.any(Number) });

    g.bus.publish(subject, encodePrewarmSignal({ eventId: 'final' }));
    await expect.poll(() => state().warm).toEqual(['final']);
    expect(state()).toMatchObject({ fans: 0, events: { final: 0 } });
    expect(g.gateway.stats().rooms).toBe(1);
    // reactions, presence, sanctions and stage of final, and the pre-warm subject itself
    expect(g.bus.activeSubjects()).toBe(5);
    expect(await opens(g)).toBe(1);

    // The first fan finds the room open: no second open, same subscriptions.
    const { fan } = await g.join({ evt: 'final' });
    expect(await opens(g)).toBe(1);
    expect(g.bus.activeSubjects()).toBe(5);
    fan.close();
    await fan.closed;
    // Its leaving does not close the warm room.
    await expect.poll(() => state().events).toEqual({ final: 0 });
    expect(state().warm).toEqual(['final']);

    // A second signal renews the lease; it does not take a second reference.
    clock.advance(ROOM_WARM_LEASE_MS - 1_000);
    expect(clock.pendingDelays()).not.toContain(ROOM_WARM_LEASE_MS);
    g.bus.publish(subject, encodePrewarmSignal({ eventId: 'final' }));
    // Handled once a whole lease is armed again (this bus delivers within publish, NATS later).
    await expect.poll(() => clock.pendingDelays()).toContain(ROOM_WARM_LEASE_MS);
    clock.advance(ROOM_WARM_LEASE_MS - 1_000);
    expect(state().warm).toEqual(['final']);
    expect(await opens(g)).toBe(1);
    clock.advance(1_000);
    expect(state()).toMatchObject({ warm: [], events: {} });
    expect(g.gateway.stats().rooms).toBe(0);
    expect(g.bus.activeSubjects()).toBe(1);
  });

  it('keeps a room with fans open past its lease, and ignores a signal it cannot read', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({}, clock);
    const subject = createSubjects(g.gateway.config.prefix).prewarm();
    g.bus.publish(subject, new TextEncoder().encode('{"eventId":"a.b"}'));
    g.bus.publish(subject, encodePrewarmSignal({ eventId: 'final' }));
    await expect.poll(() => g!.gateway.shardState('ws://x/ws').warm).toEqual(['final']);
    const { fan } = await g.join({ evt: 'final' });
    clock.advance(ROOM_WARM_LEASE_MS);
    expect(g.gateway.shardState('ws://x/ws')).toMatchObject({ warm: [], events: { final: 1 } });
    fan.close();
    await fan.closed;
    await expect.poll(() => g!.gateway.stats().rooms).toBe(0);
    expect(await opens(g)).toBe(1);
  });
});
