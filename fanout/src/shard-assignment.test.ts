import { describe, expect, it } from 'vitest';
import { assignShard } from './shard-assignment.js';
import { shard } from './shard-registry.contract.js';

describe('assignShard', () => {
  it('keeps an event on the shard that already serves it most', () => {
    const shards = [
      shard('a', { fans: 10, events: { demo: 2 } }),
      shard('b', { fans: 50, events: { demo: 40 } }),
      shard('c', { fans: 0 }),
    ];
    expect(assignShard(shards, 'demo')?.id).toBe('b');
  });

  it('puts a new event on the shard with the most room', () => {
    const shards = [shard('a', { fans: 60 }), shard('b', { fans: 20 }), shard('c', { fans: 40 })];
    expect(assignShard(shards, 'new-event')?.id).toBe('b');
  });

  it('spreads a big event once its shards fill, keeping headroom', () => {
    const shards = [
      shard('a', { fans: 95, events: { final: 95 } }), // at 95 of 100: full with 5% headroom
      shard('b', { fans: 30, events: { other: 30 } }),
      shard('c', { fans: 10 }),
    ];
    expect(assignShard(shards, 'final')?.id).toBe('c');
  });

  it('never picks a draining or full shard, and says so when none is left', () => {
    const shards = [
      shard('a', { draining: true, events: { demo: 5 }, fans: 5 }),
      shard('b', { fans: 100, events: { demo: 100 } }),
    ];
    expect(assignShard(shards, 'demo')).toBeUndefined();
    expect(assignShard([], 'demo')).toBeUndefined();
  });
});
