// Reactions and presence run on the injected clock: these tests move it by hand and use a
// ping/pong round trip as the barrier that proves the server has read every earlier frame.

import { ManualClock } from '@fanfare/fanout/testing';
import type { FanClient } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

async function barrier(fan: FanClient, ref: string): Promise<void> {
  fan.send({ type: 'ping', ref });
  await fan.next('pong', (p) => p.ref === ref);
}

describe('reactions and presence', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('aggregates taps per window into one counts frame, never a frame per tap', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({ reactionWindowMs: 200 }, clock);
    const { fan: a } = await g.join();
    const { fan: b } = await g.join();
    for (let i = 0; i < 30; i++) a.send({ type: 'react', emoji: '🔥' });
    b.send({ type: 'react', emoji: '🔥', count: 5 });
    b.send({ type: 'react', emoji: '👏', count: 2 });
    await barrier(a, 'a1');
    await barrier(b, 'b1');
    expect(a.frames.filter((f) => f.type === 'reactions')).toEqual([]);
    clock.advance(200);
    const [ra, rb] = await Promise.all([a.next('reactions'), b.next('reactions')]);
    expect(ra).toEqual({ type: 'reactions', counts: { '🔥': 35, '👏': 2 }, windowMs: 200 });
    expect(rb).toEqual(ra);
    // a quiet window sends nothing; the next busy one sends only its own taps
    clock.advance(200);
    a.send({ type: 'react', emoji: '😂' });
    await barrier(a, 'a2');
    clock.advance(200);
    expect(await a.next('reactions')).toMatchObject({ counts: { '😂': 1 } });
    expect(a.frames.filter((f) => f.type === 'reactions')).toHaveLength(2);
    // a late joiner's snapshot carries the latest window
    expect((await g.join()).welcome.snapshot.reactions).toEqual({ '😂': 1 });
  });

  it("refuses taps past a fan's reaction budget without counting them", async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({ reactions: { ratePerSecond: 10, burst: 20 } }, clock);
    const { fan } = await g.join();
    fan.send({ type: 'react', emoji: '🎉', count: 20 });
    fan.send({ type: 'react', emoji: '🎉', count: 5 });
    expect(await fan.next('error')).toMatchObject({ code: 'reaction_rate_limited' });
    await barrier(fan, 'r');
    clock.advance(200);
    expect(await fan.next('reactions')).toMatchObject({ counts: { '🎉': 20 } });
  });

  it('sends viewers-now at most once a second, when it changes', async () => {
    const clock = new ManualClock(Date.now());
    g = await startGateway({ presenceIntervalMs: 1000 }, clock);
    const { fan: a } = await g.join();
    const { fan: b } = await g.join();
    clock.advance(1000);
    expect(await a.next('presence')).toEqual({ type: 'presence', viewers: 2 });
    const { fan: c } = await g.join();
    c.close();
    await c.closed;
    await barrier(a, 'p'); // the server has processed c's close before a's ping
    clock.advance(1000); // back to 2: unchanged, so nothing is sent
    b.close();
    await b.closed;
    await barrier(a, 'q');
    clock.advance(1000);
    expect(await a.next('presence')).toEqual({ type: 'presence', viewers: 1 });
    expect(a.frames.filter((f) => f.type === 'presence')).toHaveLength(2);
  });
});
