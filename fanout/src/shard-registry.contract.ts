// The behaviour every ShardRegistry must show.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShardRegistry, ShardState } from './shard-registry.js';

export interface ShardRegistryFixture {
  registry: ShardRegistry;
  /** A second handle on the same registry (the API, while shards heartbeat). */
  peer: ShardRegistry;
  /** Lets `ms` of registry time pass (a manual clock, or real time for a server). */
  elapse(ms: number): Promise<void>;
  /**
   * The TTL of the entries a test lets lapse, ms: it must outlast the few calls made before the
   * test waits it out. 300 on a manual clock; a server on real time needs seconds, as a loaded
   * machine can hold the test process for longer than 300 ms between two round trips.
   */
  shortTtlMs: number;
  cleanup(): Promise<void>;
}

export function shard(id: string, over: Partial<ShardState> = {}): ShardState {
  return {
    id,
    url: `ws://127.0.0.1/${id}`,
    capacity: 100,
    fans: 0,
    events: {},
    draining: false,
    at: 0,
    ...over,
  };
}

export function shardRegistryContract(
  name: string,
  create: () => Promise<ShardRegistryFixture>,
): void {
  describe(`ShardRegistry contract: ${name}`, () => {
    let f: ShardRegistryFixture;
    /** Lets the short TTL pass, with 100 ms to spare. */
    const lapse = () => f.elapse(f.shortTtlMs + 100);
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('lists heartbeating shards with their latest state, in id order', async () => {
      await f.registry.heartbeat(shard('b', { fans: 3, events: { demo: 3 } }), 10_000);
      await f.registry.heartbeat(shard('a'), 10_000);
      await f.registry.heartbeat(shard('b', { fans: 5, events: { demo: 5 } }), 10_000);
      const live = await f.peer.live();
      expect(live.map((s) => s.id)).toEqual(['a', 'b']);
      expect(live[1]).toEqual(shard('b', { fans: 5, events: { demo: 5 } }));
    });

    it('forgets a shard that stops heartbeating once its TTL passes', async () => {
      await f.registry.heartbeat(shard('dying'), f.shortTtlMs);
      await f.registry.heartbeat(shard('alive'), 60_000);
      expect((await f.peer.live()).map((s) => s.id)).toEqual(['alive', 'dying']);
      await lapse();
      expect((await f.peer.live()).map((s) => s.id)).toEqual(['alive']);
    });

    it('holds one reservation per event, replaced not added to, until its TTL passes', async () => {
      await f.registry.reserve({ eventId: 'b', fans: 500 }, f.shortTtlMs);
      await f.registry.reserve({ eventId: 'a', fans: 1_000 }, 60_000);
      await f.registry.reserve({ eventId: 'a', fans: 2_000 }, 60_000);
      expect(await f.peer.reservations()).toEqual([
        { eventId: 'a', fans: 2_000 },
        { eventId: 'b', fans: 500 },
      ]);
      await lapse();
      expect(await f.peer.reservations()).toEqual([{ eventId: 'a', fans: 2_000 }]);
      expect(await f.peer.live()).toEqual([]);
    });

    it('keeps the request a reservation was made for, for every reader', async () => {
      const request = {
        expectedPeakFans: 9_000,
        startsAt: 1_700_000_000_000,
        tiers: { webrtc: 3 },
      };
      await f.registry.reserve({ eventId: 'c', fans: 9_000, request }, 60_000);
      await f.registry.reserve({ eventId: 'd', fans: 10 }, 60_000);
      expect(await f.peer.reservations()).toEqual([
        { eventId: 'c', fans: 9_000, request },
        { eventId: 'd', fans: 10 },
      ]);
    });

    it('holds one set of assignments per replica, replaced not merged, until its TTL passes', async () => {
      const b = { replicaId: 'b', assigned: { g1: { '100': 3 } } };
      await f.registry.shareAssignments(b, f.shortTtlMs);
      await f.registry.shareAssignments({ replicaId: 'a', assigned: { g1: { '100': 1 } } }, 60_000);
      const a = { replicaId: 'a', assigned: { g1: { '101': 2 }, g2: { '101': 5 } } };
      await f.registry.shareAssignments(a, 60_000);
      expect(await f.peer.assignments()).toEqual([a, b]);
      await lapse();
      expect(await f.peer.assignments()).toEqual([a]);
    });

    it('removes a shard at once', async () => {
      await f.registry.heartbeat(shard('leaving'), 60_000);
      await f.registry.remove('leaving');
      expect(await f.peer.live()).toEqual([]);
    });
  });
}
