import { MemoryShardRegistry, silentLogger, type Logger, type ShardState } from '@fanfare/fanout';
import { ManualClock, shard } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { FallbackPeers, PEERS_MAX_AGE_MS, PEERS_REFRESH_MS } from './fallback-peers.js';
import { REGISTRY_TTL_MS } from './registry-heartbeat.js';

/** A registry whose `live()` is answered by hand: counts reads, can fail or hang. */
class HandRegistry extends MemoryShardRegistry {
  reads = 0;
  mode: 'answer' | 'fail' | 'hang' = 'answer';
  #pending: Array<() => void> = [];

  override async live(): Promise<ShardState[]> {
    this.reads++;
    if (this.mode === 'fail') throw new Error('connection refused');
    if (this.mode === 'hang') await new Promise<void>((resolve) => this.#pending.push(resolve));
    return super.live();
  }

  /** Lets the hung reads go on. */
  release(): void {
    for (const resolve of this.#pending.splice(0)) resolve();
  }
}

function setup(logger: Logger = silentLogger) {
  const clock = new ManualClock(1_700_000_000_000);
  const registry = new HandRegistry(clock);
  const peers = new FallbackPeers({ registry, shardId: 'a', clock, logger, random: () => 0.5 });
  /** Heartbeats with a TTL long enough to outlive every advance below. */
  const beat = (s: ShardState) => registry.heartbeat(s, 10 * PEERS_MAX_AGE_MS);
  return { clock, registry, peers, beat };
}

/** Lets a read the clock started finish: the hand registry answers within the microtask queue. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FallbackPeers', () => {
  it('reads every heartbeat period', () => {
    expect(PEERS_REFRESH_MS).toBe(REGISTRY_TTL_MS / 3);
  });

  it('names a live peer, never itself, and follows the registry on its period', async () => {
    const { clock, registry, peers, beat } = setup();
    await beat(shard('a'));
    await beat(shard('b'));
    expect(peers.pick()).toBeUndefined(); // nothing read yet
    peers.start();
    await settle();
    expect(peers.pick()).toBe('ws://127.0.0.1/b');
    expect(registry.reads).toBe(1);

    await beat(shard('b', { draining: true }));
    await beat(shard('c'));
    clock.advance(PEERS_REFRESH_MS - 1);
    await settle();
    expect(peers.pick()).toBe('ws://127.0.0.1/b'); // not read again yet
    clock.advance(1);
    await settle();
    expect(registry.reads).toBe(2);
    expect(peers.pick()).toBe('ws://127.0.0.1/c');
    peers.close();
    expect(peers.pick()).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps one read in flight at a time', async () => {
    const { clock, registry, peers, beat } = setup();
    await beat(shard('b'));
    registry.mode = 'hang';
    peers.start();
    clock.advance(5 * PEERS_REFRESH_MS);
    const manual = peers.refresh();
    expect(registry.reads).toBe(1);
    registry.mode = 'answer';
    registry.release();
    await manual;
    expect(peers.pick()).toBe('ws://127.0.0.1/b');
    clock.advance(PEERS_REFRESH_MS);
    await settle();
    expect(registry.reads).toBe(2);
    peers.close();
  });

  it('keeps the last peers through a registry outage for PEERS_MAX_AGE_MS, logging outage and drop once each', async () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (m: string) => warnings.push(m),
      info: (m: string) => infos.push(m),
    };
    const { clock, registry, peers, beat } = setup(logger);
    await beat(shard('b'));
    peers.start();
    await settle();
    registry.mode = 'fail';
    for (let t = PEERS_REFRESH_MS; t <= PEERS_MAX_AGE_MS; t += PEERS_REFRESH_MS) {
      clock.advance(PEERS_REFRESH_MS);
      await settle();
      expect(peers.pick()).toBe('ws://127.0.0.1/b');
    }
    clock.advance(PEERS_REFRESH_MS); // the last good read is now older than the bound
    await settle();
    expect(peers.pick()).toBeUndefined();
    clock.advance(PEERS_REFRESH_MS);
    await settle();
    expect(warnings).toEqual([
      'shard registry unreachable; grants keep the last fallback peers for a while',
      'fallback peers too old to name; grants name none until a read',
    ]);

    registry.mode = 'answer';
    clock.advance(PEERS_REFRESH_MS);
    await settle();
    expect(peers.pick()).toBe('ws://127.0.0.1/b');
    expect(infos).toHaveLength(1);
    peers.close();
  });

  it('drops the peers when a read hangs past PEERS_MAX_AGE_MS', async () => {
    const { clock, registry, peers, beat } = setup();
    await beat(shard('b'));
    peers.start();
    await settle();
    registry.mode = 'hang';
    clock.advance(PEERS_MAX_AGE_MS);
    await settle();
    expect(peers.pick()).toBe('ws://127.0.0.1/b');
    clock.advance(PEERS_REFRESH_MS);
    await settle();
    expect(peers.pick()).toBeUndefined();
    expect(registry.reads).toBe(2);
    peers.close();
    registry.mode = 'answer';
    registry.release(); // a read that ends after close names nothing
    await settle();
    expect(peers.pick()).toBeUndefined();
  });
});
