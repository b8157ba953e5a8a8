import { MemoryShardRegistry, type ShardRegistry, type ShardState } from '@fanfare/fanout';
import { ManualClock, shard } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '@fanfare/fanout';
import { REGISTRY_TTL_MS, RegistryHeartbeat } from './registry-heartbeat.js';

describe('RegistryHeartbeat', () => {
  it('keeps the shard registered with its current state, and removes it on close', async () => {
    const clock = new ManualClock();
    const registry = new MemoryShardRegistry(clock);
    let state: ShardState = shard('g1', { fans: 1, events: { demo: 1 } });
    const heartbeat = new RegistryHeartbeat(registry, clock, () => state, silentLogger);
    await heartbeat.start();
    expect(await registry.live()).toEqual([state]);
    state = shard('g1', { fans: 7, events: { demo: 7 } });
    clock.advance(REGISTRY_TTL_MS / 3);
    await Promise.resolve();
    clock.advance(REGISTRY_TTL_MS); // beats every third of the TTL keep it alive
    await Promise.resolve();
    expect(await registry.live()).toEqual([state]);
    await heartbeat.close();
    expect(await registry.live()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('survives a failing registry, logging once, and recovers when it returns', async () => {
    const clock = new ManualClock();
    const memory = new MemoryShardRegistry(clock);
    let down = true;
    const flaky: ShardRegistry = {
      heartbeat: async (s, ttl) => {
        if (down) throw new Error('connection refused');
        await memory.heartbeat(s, ttl);
      },
      remove: (id) => memory.remove(id),
      live: () => memory.live(),
      reserve: (r, ttl) => memory.reserve(r, ttl),
      reservations: () => memory.reservations(),
      shareAssignments: (a, ttl) => memory.shareAssignments(a, ttl),
      assignments: () => memory.assignments(),
      close: () => memory.close(),
    };
    const warnings: string[] = [];
    const infos: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (m) => warnings.push(m),
      info: (m) => infos.push(m),
    };
    const heartbeat = new RegistryHeartbeat(flaky, clock, () => shard('g1'), logger);
    await heartbeat.start();
    await heartbeat.beat();
    expect(warnings).toEqual(['shard registry heartbeat failed']);
    down = false;
    await heartbeat.beat();
    expect(infos).toEqual(['shard registry reachable again']);
    expect((await memory.live()).map((s) => s.id)).toEqual(['g1']);
    await heartbeat.close();
  });
});
