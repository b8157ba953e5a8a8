// The behaviour every VoteStore must show.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VoteStore } from './vote-store.js';

export interface VoteStoreFixture {
  store: VoteStore;
  /** A second handle on the same store (another shard). */
  peer: VoteStore;
  cleanup(): Promise<void>;
}

export function voteStoreContract(name: string, create: () => Promise<VoteStoreFixture>): void {
  describe(`VoteStore contract: ${name}`, () => {
    let f: VoteStoreFixture;
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('counts one vote per fan, across handles, and versions the tally', async () => {
      await f.store.open('e1', 'p1', 3);
      expect(await f.store.vote('e1', 'p1', 'a', 0)).toEqual({ status: 'accepted', option: 0 });
      expect(await f.peer.vote('e1', 'p1', 'b', 2)).toEqual({ status: 'accepted', option: 2 });
      expect(await f.peer.vote('e1', 'p1', 'c', 2)).toEqual({ status: 'accepted', option: 2 });
      expect(await f.store.tally('p1')).toEqual({ version: 3, counts: [1, 0, 2], total: 3 });
    });

    it('treats the same vote again as a duplicate and a different one as already_voted', async () => {
      await f.store.open('e1', 'p1', 2);
      await f.store.vote('e1', 'p1', 'a', 1);
      expect(await f.peer.vote('e1', 'p1', 'a', 1)).toEqual({ status: 'duplicate', option: 1 });
      expect(await f.peer.vote('e1', 'p1', 'a', 0)).toEqual({ status: 'already_voted', option: 1 });
      expect(await f.store.tally('p1')).toEqual({ version: 1, counts: [0, 1], total: 1 });
    });

    it('keeps exactly one vote per fan when the same fan votes concurrently from many shards', async () => {
      await f.store.open('e1', 'p1', 2);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? f.store : f.peer).vote('e1', 'p1', 'racer', i % 2),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(1);
      expect((await f.store.tally('p1')).total).toBe(1);
    });

    it('refuses options out of range and polls not open', async () => {
      await f.store.open('e1', 'p1', 2);
      expect(await f.store.vote('e1', 'p1', 'a', 2)).toEqual({ status: 'invalid_option' });
      expect(await f.store.vote('e1', 'p1', 'a', -1)).toEqual({ status: 'invalid_option' });
      expect(await f.store.vote('e1', 'nope', 'a', 0)).toEqual({ status: 'poll_closed' });
    });

    it('closes with an exact recount, then refuses votes; reopening does not reset it', async () => {
      await f.store.open('e1', 'p1', 2);
      for (const [user, option] of [
        ['a', 0],
        ['b', 1],
        ['c', 1],
      ] as const) {
        await f.store.vote('e1', 'p1', user, option);
      }
      expect(await f.peer.close('p1')).toEqual({ version: 3, counts: [1, 2], total: 3 });
      expect(await f.store.vote('e1', 'p1', 'd', 0)).toEqual({ status: 'poll_closed' });
      await f.store.open('e1', 'p1', 2);
      expect(await f.store.vote('e1', 'p1', 'd', 0)).toEqual({ status: 'poll_closed' });
      expect(await f.store.close('p1')).toEqual({ version: 3, counts: [1, 2], total: 3 });
    });

    it('answers a vote for a poll of another event as for an unknown poll and counts nothing', async () => {
      await f.store.open('e1', 'p1', 2);
      expect(await f.peer.vote('e2', 'p1', 'a', 0)).toEqual({ status: 'poll_closed' });
      expect(await f.store.vote('e2', 'p1', 'a', 1)).toEqual({ status: 'poll_closed' });
      expect(await f.store.tally('p1')).toEqual({ version: 0, counts: [0, 0], total: 0 });
      // A later open by another event takes nothing over: the poll stays e1's.
      await f.peer.open('e2', 'p1', 5);
      expect(await f.peer.vote('e2', 'p1', 'a', 0)).toEqual({ status: 'poll_closed' });
      expect(await f.peer.vote('e1', 'p1', 'a', 1)).toEqual({ status: 'accepted', option: 1 });
      expect(await f.store.close('p1')).toEqual({ version: 1, counts: [0, 1], total: 1 });
    });

    it('keeps polls apart and forgets a discarded one', async () => {
      await f.store.open('e1', 'p1', 2);
      await f.store.open('e1', 'p2', 2);
      await f.store.vote('e1', 'p1', 'a', 0);
      expect((await f.store.tally('p2')).total).toBe(0);
      await f.store.discard('p1');
      expect(await f.store.tally('p1')).toEqual({ version: 0, counts: [], total: 0 });
    });
  });
}
