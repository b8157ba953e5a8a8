// The behaviour every StageStore must show.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Stage, StageStore } from './stage-store.js';

export interface StageStoreFixture {
  store: StageStore;
  /** A second handle on the same store (a shard, while the API writes). */
  peer: StageStore;
  cleanup(): Promise<void>;
}

/** A complete stage at `version`, with one open poll: a fixture for stage tests. */
export function sampleStage(version: number, title = `v${version}`): Stage {
  return {
    version,
    view: {
      version,
      title,
      state: 'live',
      pinned: { text: 'Welcome', pinnedAt: 1_800_000_000_000 },
      slowModeS: null,
      entitledOnlyChat: false,
      polls: [
        {
          id: 'poll-1',
          question: 'Encore?',
          options: ['yes', 'no'],
          state: 'open',
          opensAt: 1_800_000_000_000,
          closesAt: 1_800_000_060_000,
        },
      ],
    },
    rules: {
      access: 'public',
      slowModeS: null,
      entitledOnlyChat: false,
      blockedTerms: ['spoiler*'],
      chatCapPerSec: null,
    },
  };
}

export function stageStoreContract(name: string, create: () => Promise<StageStoreFixture>): void {
  describe(`StageStore contract: ${name}`, () => {
    let f: StageStoreFixture;
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('has no stage and version 0 for an event never put', async () => {
      expect(await f.peer.get('ev-a')).toBeUndefined();
      expect(await f.peer.version('ev-a')).toBe(0);
    });

    it('stores a stage and shows it, whole, to every handle', async () => {
      expect(await f.store.put('ev-a', sampleStage(3))).toBe(true);
      expect(await f.peer.get('ev-a')).toEqual(sampleStage(3));
      expect(await f.peer.version('ev-a')).toBe(3);
    });

    it('replaces the stage with a newer version', async () => {
      await f.store.put('ev-a', sampleStage(3));
      expect(await f.store.put('ev-a', sampleStage(4, 'renamed'))).toBe(true);
      expect((await f.peer.get('ev-a'))?.view.title).toBe('renamed');
      expect(await f.peer.version('ev-a')).toBe(4);
    });

    it('refuses an older or equal version and keeps what it had', async () => {
      await f.store.put('ev-a', sampleStage(5));
      expect(await f.store.put('ev-a', sampleStage(4, 'older'))).toBe(false);
      expect(await f.store.put('ev-a', sampleStage(5, 'same version'))).toBe(false);
      expect(await f.peer.get('ev-a')).toEqual(sampleStage(5));
      expect(await f.peer.version('ev-a')).toBe(5);
    });

    it('returns a copy: changing what get or put saw changes nothing stored', async () => {
      const put = sampleStage(1);
      await f.store.put('ev-a', put);
      put.view.title = 'changed after put';
      const got = await f.store.get('ev-a');
      got!.view.polls.length = 0;
      got!.rules.blockedTerms.push('changed');
      expect(await f.store.get('ev-a')).toEqual(sampleStage(1));
    });

    it('removes an event’s stage, after which any version may be put again', async () => {
      await f.store.put('ev-a', sampleStage(7));
      await f.store.remove('ev-a');
      expect(await f.peer.get('ev-a')).toBeUndefined();
      expect(await f.peer.version('ev-a')).toBe(0);
      expect(await f.store.put('ev-a', sampleStage(1))).toBe(true);
      await f.store.remove('ev-never-put'); // not an error
    });

    it('keeps events apart', async () => {
      await f.store.put('ev-a', sampleStage(9));
      expect(await f.peer.get('ev-b')).toBeUndefined();
      expect(await f.peer.version('ev-b')).toBe(0);
      expect(await f.store.put('ev-b', sampleStage(1))).toBe(true);
      await f.store.remove('ev-b');
      expect(await f.peer.version('ev-a')).toBe(9);
    });

    it('ends at the highest version when versions 1..20 race in a random order', async () => {
      const versions = Array.from({ length: 20 }, (_, i) => i + 1);
      for (let i = versions.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [versions[i], versions[j]] = [versions[j]!, versions[i]!];
      }
      const results = await Promise.all(
        versions.map((v, i) => (i % 2 === 0 ? f.store : f.peer).put('ev-a', sampleStage(v))),
      );
      // Version 20 is stored wherever it fell in the order; nothing after it can be.
      expect(results[versions.indexOf(20)]).toBe(true);
      expect(await f.peer.version('ev-a')).toBe(20);
      expect(await f.store.get('ev-a')).toEqual(sampleStage(20));
    });
  });
}
