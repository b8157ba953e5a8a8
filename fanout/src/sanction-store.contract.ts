// The behaviour every SanctionStore must show.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sanction, SanctionStore } from './sanction-store.js';

export interface SanctionStoreFixture {
  store: SanctionStore;
  /** A second handle on the same store (a shard, while the API writes). */
  peer: SanctionStore;
  cleanup(): Promise<void>;
}

const T0 = 1_800_000_000_000;

function ban(userId: string, over: Partial<Sanction> = {}): Sanction {
  return { userId, kind: 'ban', until: null, by: 'mod-1', reason: 'spam', at: T0, ...over };
}

export function sanctionStoreContract(
  name: string,
  create: () => Promise<SanctionStoreFixture>,
): void {
  describe(`SanctionStore contract: ${name}`, () => {
    let f: SanctionStoreFixture;
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('starts empty at version 0', async () => {
      expect(await f.peer.version('ev-a')).toBe(0);
      expect(await f.peer.active('ev-a', T0)).toEqual({ version: 0, sanctions: [] });
    });

    it('shows imposed sanctions to every handle, with a version that grows per change', async () => {
      const v1 = await f.store.impose('ev-a', ban('u1'));
      const v2 = await f.store.impose(
        'ev-a',
        ban('u2', { kind: 'timeout', until: T0 + 60_000, reason: undefined }),
      );
      expect(v2).toBe(v1 + 1);
      expect(await f.peer.version('ev-a')).toBe(v2);
      const set = await f.peer.active('ev-a', T0 + 1);
      expect(set.version).toBe(v2);
      const byUser = Object.fromEntries(set.sanctions.map((s) => [s.userId, s]));
      expect(byUser.u1).toEqual(ban('u1'));
      expect(byUser.u2).toMatchObject({ kind: 'timeout', until: T0 + 60_000 });
    });

    it('reads one user’s sanction in force, and nothing once it expired or for others', async () => {
      await f.store.impose('ev-a', ban('u1', { kind: 'timeout', until: T0 + 1000 }));
      expect(await f.peer.of('ev-a', 'u1', T0)).toMatchObject({
        kind: 'timeout',
        until: T0 + 1000,
      });
      expect(await f.peer.of('ev-a', 'u1', T0 + 1000)).toBeUndefined();
      expect(await f.peer.of('ev-a', 'u2', T0)).toBeUndefined();
      expect(await f.peer.of('ev-b', 'u1', T0)).toBeUndefined();
    });

    it('keeps events apart', async () => {
      await f.store.impose('ev-a', ban('u1'));
      expect(await f.peer.version('ev-b')).toBe(0);
      expect((await f.peer.active('ev-b', T0)).sanctions).toEqual([]);
    });

    it('replaces a user’s earlier sanction', async () => {
      await f.store.impose('ev-a', ban('u1', { kind: 'timeout', until: T0 + 1000 }));
      await f.store.impose('ev-a', ban('u1'));
      const { sanctions } = await f.peer.active('ev-a', T0);
      expect(sanctions).toEqual([ban('u1')]);
    });

    it('leaves expired timeouts out and keeps bans until lifted', async () => {
      await f.store.impose('ev-a', ban('u1', { kind: 'timeout', until: T0 + 1000 }));
      await f.store.impose('ev-a', ban('u2'));
      const later = await f.peer.active('ev-a', T0 + 1000);
      expect(later.sanctions.map((s) => s.userId)).toEqual(['u2']);
      // An expired entry purged by a later change does not come back.
      await f.store.impose('ev-a', ban('u3', { at: T0 + 2000 }));
      const ids = (await f.peer.active('ev-a', T0 + 500)).sanctions.map((s) => s.userId).sort();
      expect(ids).toEqual(['u2', 'u3']);
    });

    it('lifts a sanction, reporting what it lifted', async () => {
      const v1 = await f.store.impose('ev-a', ban('u1'));
      const { version, lifted } = await f.store.lift('ev-a', 'u1');
      expect(version).toBe(v1 + 1);
      expect(lifted).toEqual(ban('u1'));
      expect((await f.peer.active('ev-a', T0)).sanctions).toEqual([]);
      const again = await f.store.lift('ev-a', 'u1');
      expect(again.lifted).toBeUndefined();
      expect(again.version).toBe(version + 1);
    });
  });
}
