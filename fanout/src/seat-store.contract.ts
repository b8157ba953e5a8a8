// The behaviour every SeatStore must show.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SeatStore } from './seat-store.js';

export interface SeatStoreFixture {
  store: SeatStore;
  /** A second handle on the same store (another API replica). */
  peer: SeatStore;
  cleanup(): Promise<void>;
}

const T0 = 1_800_000_000_000;
const LEASE = 60_000;

export function seatStoreContract(name: string, create: () => Promise<SeatStoreFixture>): void {
  describe(`SeatStore contract: ${name}`, () => {
    let f: SeatStoreFixture;
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('grants seats up to the limit and refuses the next, on every handle', async () => {
      expect(await f.store.claim('ev', 'a', 2, T0, T0 + LEASE)).toEqual({ granted: true, held: 1 });
      expect(await f.peer.claim('ev', 'b', 2, T0, T0 + LEASE)).toEqual({ granted: true, held: 2 });
      expect(await f.store.claim('ev', 'c', 2, T0, T0 + LEASE)).toEqual({
        granted: false,
        held: 2,
      });
      expect(await f.peer.held('ev', T0)).toBe(2);
      expect(await f.peer.held('other', T0)).toBe(0);
    });

    it('keeps a holder its seat when it claims again, even at the limit', async () => {
      await f.store.claim('ev', 'a', 1, T0, T0 + LEASE);
      expect(await f.peer.claim('ev', 'a', 1, T0 + 1, T0 + 1 + LEASE)).toEqual({
        granted: true,
        held: 1,
      });
      // The lease grew: still held after the first one would have ended.
      expect(await f.store.held('ev', T0 + LEASE)).toBe(1);
    });

    it('hands out exactly the limit under concurrent claims from two handles', async () => {
      const claims = Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? f.store : f.peer).claim('ev', `u${i}`, 7, T0, T0 + LEASE),
      );
      const granted = (await Promise.all(claims)).filter((c) => c.granted).length;
      expect(granted).toBe(7);
      expect(await f.store.held('ev', T0)).toBe(7);
    });

    it('frees a seat when its lease ends, or when released', async () => {
      await f.store.claim('ev', 'a', 1, T0, T0 + LEASE);
      expect((await f.peer.claim('ev', 'b', 1, T0 + LEASE - 1, T0 + 2 * LEASE)).granted).toBe(
        false,
      );
      expect(await f.peer.claim('ev', 'b', 1, T0 + LEASE, T0 + 2 * LEASE)).toEqual({
        granted: true,
        held: 1,
      });
      expect(await f.store.release('ev', 'b')).toBe(true);
      expect(await f.store.release('ev', 'b')).toBe(false);
      expect(await f.peer.held('ev', T0 + LEASE)).toBe(0);
    });

    it('confirms a connected holder past its lease, with or without a claim', async () => {
      await f.store.claim('ev', 'a', 1, T0, T0 + LEASE);
      await f.peer.confirm('ev', 'a', T0 + 10 * LEASE);
      await f.peer.confirm('ev', 'z', T0 + 10 * LEASE);
      // An earlier end never shortens a lease.
      await f.store.confirm('ev', 'a', T0 + 1);
      expect(await f.store.held('ev', T0 + 5 * LEASE)).toBe(2);
    });

    it('releases every seat of an event at once', async () => {
      await f.store.claim('ev', 'a', 5, T0, T0 + LEASE);
      await f.store.claim('ev', 'b', 5, T0, T0 + LEASE);
      await f.store.claim('kept', 'a', 5, T0, T0 + LEASE);
      await f.peer.releaseAll('ev');
      expect(await f.store.held('ev', T0)).toBe(0);
      expect(await f.store.held('kept', T0)).toBe(1);
    });

    it("counts leases by the caller's time, whatever the wall clock says", async () => {
      const past = 1_600_000_000_000;
      await f.store.claim('ev', 'a', 5, past, past + LEASE);
      await f.store.confirm('ev', 'b', past + LEASE);
      expect(await f.peer.held('ev', past)).toBe(2);
      expect(await f.peer.held('ev', past + LEASE)).toBe(0);
    });

    it('keeps the newest ingest status', async () => {
      expect(await f.store.ingest('ev')).toBeUndefined();
      await f.store.setIngest('ev', { live: true, at: T0 + 10 });
      await f.peer.setIngest('ev', { live: false, at: T0 + 5 });
      expect(await f.peer.ingest('ev')).toEqual({ live: true, at: T0 + 10 });
      await f.peer.setIngest('ev', { live: false, at: T0 + 20 });
      expect(await f.store.ingest('ev')).toEqual({ live: false, at: T0 + 20 });
    });

    it('takes a webhook delivery once across handles until it is forgotten or expires', async () => {
      expect(await f.store.takeDelivery('WH_1', T0, T0 + LEASE)).toBe(true);
      expect(await f.peer.takeDelivery('WH_1', T0 + 1, T0 + 1 + LEASE)).toBe(false);
      expect(await f.peer.takeDelivery('WH_2', T0 + 1, T0 + 1 + LEASE)).toBe(true);
      // The effect failed: forgotten, so the retry is taken again.
      await f.peer.forgetDelivery('WH_2');
      expect(await f.store.takeDelivery('WH_2', T0 + 2, T0 + 2 + LEASE)).toBe(true);
      const racers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? f.store : f.peer).takeDelivery('WH_3', T0, T0 + LEASE),
        ),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
    });

    it('forgets a webhook delivery after its TTL', async () => {
      // Redis counts the TTL on its own clock: a short one, then wait it out.
      expect(await f.store.takeDelivery('WH_ttl', T0, T0 + 50)).toBe(true);
      const deadline = Date.now() + 5_000;
      let again = false;
      while (!again && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        again = await f.peer.takeDelivery('WH_ttl', T0 + 60, T0 + 60 + LEASE);
      }
      expect(again).toBe(true);
    });

    it('records one egress per event: reserved once, replaced, taken once', async () => {
      expect(await f.store.egress('ev')).toBeUndefined();
      const reserved = await Promise.all([
        f.store.reserveEgress('ev', 'starting-a'),
        f.peer.reserveEgress('ev', 'starting-b'),
      ]);
      expect(reserved.filter(Boolean)).toHaveLength(1);
      await f.peer.replaceEgress('ev', 'EG_1');
      expect(await f.store.egress('ev')).toBe('EG_1');
      expect(await f.store.egress('other')).toBeUndefined();
      const taken = await Promise.all([f.store.takeEgress('ev'), f.peer.takeEgress('ev')]);
      expect(taken.filter((t) => t !== undefined)).toEqual(['EG_1']);
      expect(await f.store.reserveEgress('ev', 'starting-c')).toBe(true);
    });
  });
}
