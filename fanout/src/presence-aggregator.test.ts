import { describe, expect, it } from 'vitest';
import { MemoryBus } from './bus-memory.js';
import { ManualClock } from './manual-clock.js';
import { PresenceAggregator } from './presence-aggregator.js';
import { PRESENCE_CADENCE, type PresenceCadence } from './presence-cadence.js';

function shard(bus: MemoryBus, clock: ManualClock, shardId: string, cadence?: PresenceCadence) {
  const changes: number[] = [];
  const agg = new PresenceAggregator({
    bus,
    subject: 'p',
    shardId,
    clock,
    intervalMs: 1000,
    ...(cadence && { cadence }),
    onChange: (n) => changes.push(n),
  });
  agg.start();
  return { agg, changes };
}

describe('PresenceAggregator', () => {
  it('reports the sum over shards at most once per interval, only on change', () => {
    const bus = new MemoryBus();
    const clock = new ManualClock();
    const a = shard(bus, clock, 'a');
    const b = shard(bus, clock, 'b');
    a.agg.setLocal(10);
    b.agg.setLocal(5);
    clock.advance(1000);
    clock.advance(1000);
    expect(a.agg.total()).toBe(15);
    expect(b.agg.total()).toBe(15);
    for (let i = 0; i < 50; i++) a.agg.setLocal(10 + (i % 2)); // churn inside one interval
    clock.advance(3000);
    expect(a.changes.at(-1)).toBe(16); // the churn ended at 11 local fans
    expect(a.changes.length).toBeLessThanOrEqual(5);
    expect(new Set(a.changes).size).toBe(a.changes.length); // never repeats an unchanged total
  });

  it('drops a shard that closed at once', () => {
    const bus = new MemoryBus();
    const clock = new ManualClock();
    const a = shard(bus, clock, 'a');
    const b = shard(bus, clock, 'b');
    const c = shard(bus, clock, 'c');
    a.agg.setLocal(1);
    b.agg.setLocal(2);
    c.agg.setLocal(4);
    clock.advance(1000);
    expect(a.agg.total()).toBe(7);
    c.agg.close();
    expect(a.agg.total()).toBe(3);
    clock.advance(5000);
    expect(a.agg.total()).toBe(3); // b keeps reporting, so it never expires
  });

  it('counts a crashed shard until its reports expire', () => {
    const bus = new MemoryBus();
    const clock = new ManualClock();
    const a = shard(bus, clock, 'a');
    // A "crashed" shard: reported once, then never again.
    bus.publish('p', new TextEncoder().encode('{"s":"ghost","n":9}'));
    a.agg.setLocal(1);
    expect(a.agg.total()).toBe(10);
    clock.advance(2999);
    expect(a.agg.total()).toBe(10);
    clock.advance(1);
    expect(a.agg.total()).toBe(1);
  });

  it('paces a large audience: small moves every 10 s, a 10 % move after 5 s', () => {
    const bus = new MemoryBus();
    const clock = new ManualClock();
    const a = shard(bus, clock, 'a');
    const b = shard(bus, clock, 'b');
    a.agg.setLocal(15_000);
    b.agg.setLocal(5_000);
    clock.advance(2000); // a's first tick saw only its own fans; the second, both shards
    expect(a.changes).toEqual([15_000]);
    expect(a.agg.total()).toBe(20_000);
    clock.advance(3000); // 20,000 viewers: a 10 s gap, but +33 % is a jump, so 5 s
    expect(a.changes).toEqual([15_000]);
    clock.advance(1000);
    expect(a.changes).toEqual([15_000, 20_000]);
    for (let i = 1; i <= 9; i++) {
      a.agg.setLocal(15_000 + i); // churn, every tick a new total
      clock.advance(1000);
    }
    expect(a.changes).toEqual([15_000, 20_000]);
    clock.advance(1000);
    expect(a.changes).toEqual([15_000, 20_000, 20_009]); // 10 ticks after the last report
    b.agg.setLocal(7_500); // +12 %
    clock.advance(4000);
    expect(a.changes).toHaveLength(3);
    clock.advance(1000);
    expect(a.changes.at(-1)).toBe(22_509);
    expect(a.agg.total()).toBe(22_509); // the live total never waits for the cadence
  });

  it('follows a given cadence', () => {
    const bus = new MemoryBus();
    const clock = new ManualClock();
    const a = shard(bus, clock, 'a', { framesPerS: 10, maxGapMs: 3000, jumpFraction: 1 });
    a.agg.setLocal(20);
    clock.advance(1000);
    a.agg.setLocal(21);
    clock.advance(2000);
    expect(a.changes).toEqual([20]); // 21 viewers at 10 frames/s: a 2.1 s gap, so 3 ticks
    clock.advance(1000);
    expect(a.changes).toEqual([20, 21]);
  });

  it("cuts a full shard's presence frames about tenfold through a resume storm", () => {
    // 19,000 fans on one shard, the count moving every second; at 20 s 3,800 drop and come back
    // at 1,100/s. Frames: the shard's fans at each report. Every-interval reporting is the cadence
    // before the rule (an unbounded budget: the gap is always the interval).
    const framesOver60s = (cadence: PresenceCadence) => {
      const bus = new MemoryBus();
      const clock = new ManualClock();
      let fans = 0;
      let frames = 0;
      const agg = new PresenceAggregator({
        bus,
        subject: 'p',
        shardId: 'a',
        clock,
        cadence,
        onChange: () => (frames += fans),
      });
      agg.start();
      for (let t = 0; t < 60; t++) {
        fans = t === 20 ? 15_200 : t > 20 && t < 24 ? 15_200 + 1_100 * (t - 20) : 19_000 - (t % 2);
        agg.setLocal(fans);
        clock.advance(1000);
      }
      return frames;
    };
    const before = framesOver60s({ framesPerS: Infinity, maxGapMs: 1000, jumpFraction: 1 });
    const after = framesOver60s(PRESENCE_CADENCE);
    expect(before / 60).toBeGreaterThan(18_500); // one frame per fan per second
    expect(after / 60).toBeLessThan(2_200); // ~1,900/s, the budget, plus the storm's jump
    expect(before / after).toBeGreaterThan(8);
  });
});
