// The spoiler gate on a manual clock with a stand-in player whose program date-time runs 2 s
// behind the clock at a settable rate: items come out when the player reaches their moment
// (never before, within a millisecond after at rate 1, within a timer step at 1.05), in push order
// and once each; tombstones drop held items; no player or the live toggle release at once; a
// paused player holds; the bound drops the oldest.

import { ManualClock } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { SPOILER_RECHECK_MS, SpoilerGate } from '../src/index.js';

function setup(delayMs = 2000) {
  const clock = new ManualClock();
  const player = {
    playing: true,
    rate: 1,
    // The program date-time on screen: `delayMs` behind the clock at `anchor`, advancing at `rate`.
    anchorAt: clock.now(),
    anchorPdt: clock.now() - delayMs,
    time(): number | undefined {
      if (!player.playing) return undefined;
      return player.anchorPdt + (clock.now() - player.anchorAt) * player.rate;
    },
    setRate(rate: number) {
      player.anchorPdt = player.time()!;
      player.anchorAt = clock.now();
      player.rate = rate;
    },
  };
  const released: { item: string; at: number; pdt: number | undefined }[] = [];
  const gate = new SpoilerGate<string>({
    clock,
    playerTime: () => player.time(),
    release: (item) => released.push({ item, at: clock.now(), pdt: player.time() }),
  });
  return { clock, player, released, gate };
}

/** Advances the clock 1 ms at a time (timers fire at their exact ms). */
function run(clock: ManualClock, ms: number) {
  for (let i = 0; i < ms; i++) clock.advance(1);
}

describe('SpoilerGate', () => {
  it('releases an item when the player reaches its moment, not when it arrives', () => {
    const { clock, released, gate } = setup(2000);
    const sentAt = clock.now();
    gate.push('GOAL!', sentAt);
    expect(released).toEqual([]);
    run(clock, 1999);
    expect(released).toEqual([]); // the goal is not on screen yet
    run(clock, 1);
    expect(released).toEqual([{ item: 'GOAL!', at: sentAt + 2000, pdt: sentAt }]);
    expect(gate.held).toBe(0);
    expect(clock.pendingDelays()).toEqual([]); // nothing held: no timer
  });

  it('is never early and at most a few ms late while the player runs fast or slow', () => {
    for (const rate of [0.95, 1.05]) {
      const { clock, player, released, gate } = setup(3000);
      player.setRate(rate);
      const sentAt = clock.now();
      for (let i = 0; i < 5; i++) gate.push(`m${i}`, sentAt + i * 300);
      run(clock, 5000);
      expect(released.map((r) => r.item)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      released.forEach((r, i) => {
        const lateMs = r.pdt! - (sentAt + i * 300);
        expect(lateMs).toBeGreaterThanOrEqual(0);
        expect(lateMs).toBeLessThanOrEqual(2); // a 1 ms timer step at up to 1.05x
      });
    }
  });

  it('keeps push order and releases each item once', () => {
    const { clock, released, gate } = setup(1000);
    const t = clock.now();
    gate.push('a', t + 100);
    gate.push('b', t + 50); // stamped earlier than its predecessor: waits for it
    gate.push('c', t + 200);
    run(clock, 1100);
    expect(released.map((r) => r.item)).toEqual(['a', 'b']);
    expect(released[1]!.at).toBe(t + 1100);
    run(clock, 2000);
    expect(released.map((r) => r.item)).toEqual(['a', 'b', 'c']);
  });

  it('drops held items a tombstone names, and clears on a lost continuity', () => {
    const { clock, released, gate } = setup(2000);
    const t = clock.now();
    gate.push('spam', t);
    gate.push('fine', t + 10);
    expect(gate.drop((item) => item === 'spam')).toBe(1);
    expect(gate.drop((item) => item === 'never-held')).toBe(0);
    run(clock, 2100);
    expect(released.map((r) => r.item)).toEqual(['fine']);
    gate.push('old', clock.now());
    gate.clear();
    run(clock, 3000);
    expect(released.map((r) => r.item)).toEqual(['fine']);
  });

  it('releases at once while no video plays, and everything held when the video stops', () => {
    const { clock, player, released, gate } = setup(2000);
    player.playing = false;
    gate.push('live', clock.now());
    expect(released.map((r) => r.item)).toEqual(['live']);
    player.playing = true;
    gate.push('held', clock.now());
    expect(gate.held).toBe(1);
    player.playing = false;
    gate.recheck();
    expect(released.map((r) => r.item)).toEqual(['live', 'held']);
  });

  it('the live toggle flushes what is held, in order, and passes new items through', () => {
    const { clock, released, gate } = setup(3000);
    gate.push('x', clock.now());
    gate.push('y', clock.now() + 5);
    gate.live = true;
    expect(released.map((r) => r.item)).toEqual(['x', 'y']);
    gate.push('z', clock.now());
    expect(released.map((r) => r.item)).toEqual(['x', 'y', 'z']);
    gate.live = false;
    gate.push('w', clock.now());
    expect(gate.held).toBe(1);
  });

  it('holds while the player is paused, looking again every SPOILER_RECHECK_MS', () => {
    const { clock, player, released, gate } = setup(500);
    player.setRate(0); // paused: the picture stands still
    gate.push('later', clock.now());
    run(clock, 10_000);
    expect(released).toEqual([]);
    expect(clock.pendingDelays()).toEqual([SPOILER_RECHECK_MS - (10_000 % SPOILER_RECHECK_MS)]);
    player.setRate(1);
    run(clock, 500 + SPOILER_RECHECK_MS);
    expect(released.map((r) => r.item)).toEqual(['later']);
  });

  it('drops the oldest held items past maxHeld, and nothing after close', () => {
    const clock = new ManualClock();
    const released: number[] = [];
    const gate = new SpoilerGate<number>({
      clock,
      maxHeld: 3,
      playerTime: () => clock.now() - 10_000,
      release: (n) => released.push(n),
    });
    for (let i = 0; i < 5; i++) gate.push(i, clock.now());
    expect(gate.held).toBe(3);
    run(clock, 10_000);
    expect(released).toEqual([2, 3, 4]);
    gate.push(9, clock.now());
    gate.close();
    gate.push(10, 0);
    run(clock, 20_000);
    expect(released).toEqual([2, 3, 4]);
    expect(clock.pendingDelays()).toEqual([]);
  });
});
