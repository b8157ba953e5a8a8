// The embedded mode's event directory: a fixed list given at start, held in a Map. Lost on
// restart, which is fine because it is seeded from code or config every time.

import type { EventDirectory, EventInfo } from './event-directory.js';

/** The event the embedded mode and the demo page use: anyone may join. */
export const DEMO_EVENT: Readonly<EventInfo> = Object.freeze({
  id: 'demo',
  title: 'Fanfare demo',
  anonymousJoin: true,
});

export class MemoryEventDirectory implements EventDirectory {
  #events = new Map<string, Readonly<EventInfo>>();

  /** Later entries with the same id replace earlier ones. */
  constructor(events: Iterable<EventInfo>) {
    for (const event of events) this.#events.set(event.id, Object.freeze({ ...event }));
  }

  async get(eventId: string): Promise<EventInfo | undefined> {
    const event = this.#events.get(eventId);
    return event === undefined ? undefined : { ...event };
  }
}
