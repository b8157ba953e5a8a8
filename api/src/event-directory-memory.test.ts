import { describe, expect, it } from 'vitest';
import { isEventId } from '@fanfare/protocol';
import { eventDirectoryContract } from './event-directory.contract.js';
import { DEMO_EVENT, MemoryEventDirectory } from './event-directory-memory.js';

eventDirectoryContract('MemoryEventDirectory', async (events) => new MemoryEventDirectory(events));

describe('MemoryEventDirectory', () => {
  it('is not changed by later edits to the seed objects', async () => {
    const seed = { id: 'gig', title: 'Gig', anonymousJoin: true };
    const directory = new MemoryEventDirectory([seed]);
    seed.anonymousJoin = false;
    expect((await directory.get('gig'))?.anonymousJoin).toBe(true);
  });

  it('seeds a demo event that anyone may join and whose id is valid on the wire', () => {
    expect(DEMO_EVENT.anonymousJoin).toBe(true);
    expect(isEventId(DEMO_EVENT.id)).toBe(true);
  });
});
