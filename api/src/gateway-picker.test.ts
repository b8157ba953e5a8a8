import { MemoryShardRegistry, type ShardRegistry } from '@fanfare/fanout';
import { shard } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { GatewayPicker, REGISTRY_CACHE_MS } from './gateway-picker.js';
import type { Logger } from '@fanfare/fanout';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The URL a pick answers (undefined: no shard). */
async function pickUrl(picker: GatewayPicker, eventId: string, unreachable?: string) {
  return (await picker.pick(eventId, unreachable))?.url;
}

describe('GatewayPicker', () => {
  it('fills the shard serving the event, then spreads, counting its own assignments', async () => {
    const registry = new MemoryShardRegistry();
    await registry.heartbeat(shard('a', { capacity: 20, fans: 15, events: { demo: 15 } }), 60_000);
    await registry.heartbeat(shard('b', { capacity: 20 }), 60_000);
    const picker = new GatewayPicker(registry, quiet, () => 0); // the cache never expires
    const urls: string[] = [];
    for (let i = 0; i < 6; i++) urls.push((await pickUrl(picker, 'demo'))!);
    // a holds 19 (95% of 20) at most: 4 more there, then b
    expect(urls).toEqual([
      'ws://127.0.0.1/a',
      'ws://127.0.0.1/a',
      'ws://127.0.0.1/a',
      'ws://127.0.0.1/a',
      'ws://127.0.0.1/b',
      'ws://127.0.0.1/b',
    ]);
  });

  it('answers undefined when no shard is live', async () => {
    const picker = new GatewayPicker(new MemoryShardRegistry(), quiet);
    expect(await pickUrl(picker, 'demo')).toBeUndefined();
  });

  it('keeps assigning from the last list while the registry is down', async () => {
    const memory = new MemoryShardRegistry();
    await memory.heartbeat(shard('a'), 60_000);
    let down = false;
    const registry: ShardRegistry = {
      heartbeat: (s, ttl) => memory.heartbeat(s, ttl),
      remove: (id) => memory.remove(id),
      live: async () => {
        if (down) throw new Error('ECONNREFUSED');
        return memory.live();
      },
      reserve: (r, ttl) => memory.reserve(r, ttl),
      reservations: () => memory.reservations(),
      shareAssignments: (a, ttl) => memory.shareAssignments(a, ttl),
      assignments: () => memory.assignments(),
      close: () => memory.close(),
    };
    let now = 0;
    const picker = new GatewayPicker(registry, quiet, () => now);
    expect(await pickUrl(picker, 'demo')).toBe('ws://127.0.0.1/a');
    down = true;
    now += REGISTRY_CACHE_MS;
    expect(await pickUrl(picker, 'demo')).toBe('ws://127.0.0.1/a');
  });
});

describe('GatewayPicker and pre-warm reservations', () => {
  it('places another event only in the room that reservations leave free', async () => {
    const registry = new MemoryShardRegistry();
    // Two shards of 20: 19 places each, 38 in all; the pre-warmed event holds 30 of them.
    await registry.heartbeat(shard('a', { capacity: 20 }), 60_000);
    await registry.heartbeat(shard('b', { capacity: 20 }), 60_000);
    await registry.reserve({ eventId: 'final', fans: 30 }, 60_000);
    const picker = new GatewayPicker(registry, quiet, () => 0);
    const other: Array<string | undefined> = [];
    for (let i = 0; i < 10; i++) other.push(await pickUrl(picker, 'heat'));
    expect(other.filter(Boolean)).toHaveLength(8); // 38 - 30
    // The reserved event still finds its 30 places, and no more than the cluster has.
    const reserved: Array<string | undefined> = [];
    for (let i = 0; i < 31; i++) reserved.push(await pickUrl(picker, 'final'));
    expect(reserved.filter(Boolean)).toHaveLength(30);
  });

  it('lets the reserved room go as the reserving event’s fans fill it', async () => {
    const registry = new MemoryShardRegistry();
    await registry.heartbeat(shard('a', { capacity: 20, fans: 10, events: { final: 10 } }), 60_000);
    await registry.reserve({ eventId: 'final', fans: 12 }, 60_000);
    const picker = new GatewayPicker(registry, quiet, () => 0);
    const other: Array<string | undefined> = [];
    for (let i = 0; i < 9; i++) other.push(await pickUrl(picker, 'heat'));
    // 9 free places, 2 of them still held for `final`.
    expect(other.filter(Boolean)).toHaveLength(7);
  });
});

describe('GatewayPicker between heartbeats', () => {
  it('counts its recent assignments on top of a registry that has not caught up', async () => {
    const registry = new MemoryShardRegistry();
    let now = 10_000;
    await registry.heartbeat(shard('a', { capacity: 20, events: { demo: 0 }, at: now }), 60_000);
    await registry.heartbeat(shard('b', { capacity: 20, at: now }), 60_000);
    const picker = new GatewayPicker(registry, quiet, () => now);
    const urls: string[] = [];
    for (let i = 0; i < 30; i++) {
      urls.push((await pickUrl(picker, 'demo'))!);
      now += 100; // refreshes every few picks; the registry still says nobody joined
    }
    const onA = urls.filter((u) => u.endsWith('/a')).length;
    expect(onA).toBe(19); // a filled to its limit, then b, though the registry lagged
    expect(urls.length - onA).toBe(11);
  });

  it('stops counting an assignment once a later report of the shard includes it', async () => {
    const registry = new MemoryShardRegistry();
    let now = 10_000;
    await registry.heartbeat(shard('a', { capacity: 20, at: now }), 60_000);
    const picker = new GatewayPicker(registry, quiet, () => now);
    for (let i = 0; i < 19; i++) expect(await pickUrl(picker, 'demo')).toBe('ws://127.0.0.1/a');
    expect(await pickUrl(picker, 'demo')).toBeUndefined(); // full by its own count
    // The shard reports later: 10 of them connected, 9 left again. Room for 9 more.
    now += 2_500;
    await registry.heartbeat(
      shard('a', { capacity: 20, fans: 10, events: { demo: 10 }, at: now }),
      60_000,
    );
    now += REGISTRY_CACHE_MS;
    const urls: Array<string | undefined> = [];
    for (let i = 0; i < 10; i++) urls.push(await pickUrl(picker, 'demo'));
    expect(urls.filter(Boolean)).toHaveLength(9);
  });
});

describe('GatewayPicker and a shard the fan could not reach', () => {
  it('leaves the named shard out of that pick only', async () => {
    const registry = new MemoryShardRegistry();
    // a serves the event (it would be picked first); b has room.
    await registry.heartbeat(shard('a', { capacity: 20, fans: 5, events: { demo: 5 } }), 60_000);
    await registry.heartbeat(shard('b', { capacity: 20 }), 60_000);
    const picker = new GatewayPicker(registry, quiet, () => 0);
    expect(await pickUrl(picker, 'demo', 'ws://127.0.0.1/a')).toBe('ws://127.0.0.1/b');
    // Nothing remembered: the next fan, naming nothing, goes to a as before.
    expect(await pickUrl(picker, 'demo')).toBe('ws://127.0.0.1/a');
    expect(await pickUrl(picker, 'demo', 'ws://127.0.0.1/b')).toBe('ws://127.0.0.1/a');
  });

  it('answers undefined (no shard) when the only shard with room is the one named', async () => {
    const registry = new MemoryShardRegistry();
    await registry.heartbeat(shard('a', { capacity: 20 }), 60_000);
    await registry.heartbeat(shard('b', { capacity: 20, fans: 19 }), 60_000); // full (95 %)
    const picker = new GatewayPicker(registry, quiet, () => 0);
    expect(await pickUrl(picker, 'demo', 'ws://127.0.0.1/a')).toBeUndefined();
    expect(await pickUrl(picker, 'demo')).toBe('ws://127.0.0.1/a');
  });

  it('compares addresses: a name that matches no shard changes nothing', async () => {
    const registry = new MemoryShardRegistry();
    await registry.heartbeat(shard('a', { capacity: 20 }), 60_000);
    const picker = new GatewayPicker(registry, quiet, () => 0);
    expect(await pickUrl(picker, 'demo', 'ws://127.0.0.1/c')).toBe('ws://127.0.0.1/a');
    expect(await pickUrl(picker, 'demo', 'wss://127.0.0.1/a')).toBe('ws://127.0.0.1/a');
  });
});
