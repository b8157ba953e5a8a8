// The behaviour every EventDirectory must show, run against each implementation (memory now,
// Postgres later) so the embedded mode and production answer the join path the same way.

import { describe, expect, it } from 'vitest';
import type { EventDirectory, EventInfo } from './event-directory.js';

/** Builds a directory holding exactly `events`; called once per test. */
export type DirectoryFactory = (events: EventInfo[]) => Promise<EventDirectory>;

export function eventDirectoryContract(name: string, make: DirectoryFactory): void {
  describe(`EventDirectory contract: ${name}`, () => {
    const final: EventInfo = { id: 'cup-final', title: 'Cup final', anonymousJoin: true };
    const private_: EventInfo = { id: 'vip-night', title: 'VIP night', anonymousJoin: false };

    it('returns a seeded event with every field', async () => {
      const directory = await make([final, private_]);
      expect(await directory.get('cup-final')).toEqual(final);
      expect(await directory.get('vip-night')).toEqual(private_);
    });

    it('returns undefined for an id it does not hold', async () => {
      const directory = await make([final]);
      expect(await directory.get('cup-semi')).toBeUndefined();
    });

    it('matches ids exactly, not by prefix or case', async () => {
      const directory = await make([final]);
      expect(await directory.get('cup')).toBeUndefined();
      expect(await directory.get('CUP-FINAL')).toBeUndefined();
    });

    it('hands out results the caller may change without changing the directory', async () => {
      const directory = await make([final]);
      const first = await directory.get('cup-final');
      if (first === undefined) throw new Error('seeded event missing');
      first.title = 'changed';
      expect((await directory.get('cup-final'))?.title).toBe('Cup final');
    });
  });
}
