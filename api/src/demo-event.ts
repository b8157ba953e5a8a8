// The event the embedded mode and the demo page use: public, live, created at start-up when it
// is missing (so a fresh `pnpm start` has something to join) and left alone when it exists.

import { isDbError, type Repositories } from '@fanfare/db';

export const DEMO_EVENT_ID = 'demo';

/** Creates the demo event and takes it live if needed. Safe to run on every start. */
export async function ensureDemoEvent(db: Repositories): Promise<void> {
  let event = await db.events.get(DEMO_EVENT_ID);
  if (!event) {
    try {
      event = await db.events.create({ id: DEMO_EVENT_ID, title: 'Fanfare demo' });
    } catch (err) {
      if (!isDbError(err, 'event_exists')) throw err; // another replica won the race
      event = (await db.events.get(DEMO_EVENT_ID))!;
    }
  }
  if (event.state === 'draft' || event.state === 'scheduled') {
    try {
      await db.events.transition(DEMO_EVENT_ID, event.state, 'live');
    } catch (err) {
      if (!isDbError(err, 'state_conflict')) throw err;
    }
  }
}
