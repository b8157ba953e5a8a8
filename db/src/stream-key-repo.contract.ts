// The behaviour StreamKeyRepo must show on every driver.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectDbError, type DbFixture } from './contract-fixture.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export function streamKeyRepoContract(name: string, fixture: () => DbFixture): void {
  describe(`StreamKeyRepo contract: ${name}`, () => {
    const repo = () => fixture().database.streamKeys;

    it('keeps the last key hash per event and lists those of events that have not ended', async () => {
      const events = fixture().database.events;
      await events.create({ id: 'final', title: 'Final' });
      await events.create({ id: 'semi', title: 'Semi' });
      await repo().set('final', sha('one'));
      await repo().set('final', sha('two'));
      await repo().set('semi', sha('three'));
      expect(await repo().listLive()).toEqual([
        { eventId: 'final', sha256: sha('two') },
        { eventId: 'semi', sha256: sha('three') },
      ]);
      await events.transition('semi', 'draft', 'live');
      await events.transition('semi', 'live', 'ended');
      expect(await repo().listLive()).toEqual([{ eventId: 'final', sha256: sha('two') }]);
    });

    it('refuses an unknown event and anything but a SHA-256 in hex', async () => {
      await expectDbError(repo().set('nope', sha('x')), 'event_not_found');
      await fixture().database.events.create({ id: 'final', title: 'Final' });
      await expectDbError(repo().set('final', 'sk_the_key_itself'), 'invalid_argument');
      await expectDbError(repo().set('final', sha('x').toUpperCase()), 'invalid_argument');
      expect(await repo().listLive()).toEqual([]);
    });
  });
}
