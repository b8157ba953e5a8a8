import type { ReactionCounts } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from './bus-memory.js';
import { ManualClock } from './manual-clock.js';
import { ReactionAggregator } from './reaction-aggregator.js';

function setup(shards: string[]) {
  const bus = new MemoryBus();
  const clock = new ManualClock();
  let published = 0;
  bus.subscribe('r', () => published++);
  const windows = new Map<string, ReactionCounts[]>();
  const aggs = shards.map((shardId) => {
    windows.set(shardId, []);
    const agg = new ReactionAggregator({
      bus,
      subject: 'r',
      shardId,
      clock,
      windowMs: 200,
      onWindow: (counts) => windows.get(shardId)!.push(counts),
    });
    agg.start();
    return agg;
  });
  return { bus, clock, aggs, windows, published: () => published };
}

describe('ReactionAggregator', () => {
  it('turns any number of taps into one count per emoji per window', () => {
    const { clock, aggs, windows, published } = setup(['a']);
    for (let i = 0; i < 10_000; i++) aggs[0]!.tap('🔥', 1);
    aggs[0]!.tap('👏', 5);
    clock.advance(199);
    expect(windows.get('a')).toEqual([]);
    clock.advance(1);
    expect(windows.get('a')).toEqual([{ '🔥': 10_000, '👏': 5 }]);
    expect(published()).toBe(1);
  });

  it('sends nothing in a window without taps', () => {
    const { clock, windows, published } = setup(['a']);
    clock.advance(2_000);
    expect(windows.get('a')).toEqual([]);
    expect(published()).toBe(0);
  });

  it('merges every shard partials so each shard emits the same totals, one per window', () => {
    const { clock, aggs, windows, published } = setup(['a', 'b', 'c']);
    aggs[0]!.tap('🔥', 3);
    aggs[1]!.tap('🔥', 4);
    aggs[2]!.tap('😂', 2);
    clock.advance(200);
    clock.advance(200);
    const all = [...windows.values()].map((w) =>
      w.reduce<Record<string, number>>((sum, counts) => {
        for (const [k, v] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + v;
        return sum;
      }, {}),
    );
    for (const totals of all) expect(totals).toEqual({ '🔥': 7, '😂': 2 });
    for (const w of windows.values()) expect(w.length).toBeLessThanOrEqual(2);
    expect(published()).toBe(3); // one partial per shard per window with taps
  });

  it('ignores malformed partials from other shards', () => {
    const { bus, clock, aggs, windows } = setup(['a']);
    bus.publish('r', new TextEncoder().encode('not json'));
    bus.publish('r', new TextEncoder().encode('{"s":"x","c":{"🔥":-4,"nope":3,"😮":2.5}}'));
    aggs[0]!.tap('🎉', 1);
    clock.advance(200);
    expect(windows.get('a')).toEqual([{ '🎉': 1 }]);
    expect(aggs[0]!.latest()).toEqual({ '🎉': 1 });
  });

  it('releases its timer and subscription on close', () => {
    const { bus, clock, aggs } = setup(['a']);
    aggs[0]!.close();
    expect(clock.pendingTimers).toBe(0);
    expect(bus.activeSubjects()).toBe(1); // the test's own counter subscription only
  });
});
