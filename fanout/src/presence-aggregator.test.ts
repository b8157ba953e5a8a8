import { describe, expect, it } from 'vitest';
import { MemoryBus } from './bus-memory.js';
import { ManualClock } from './manual-clock.js';
import { PresenceAggregator } from './presence-aggregator.js';

function shard(bus: MemoryBus, clock: ManualClock, shardId: string) {
  const changes: number[] = [];
  const agg = new PresenceAggregator({
    bus,
    subject: 'p',
    shardId,
    clock,
    intervalMs: 1000,
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
});
