// A producer-side edit of an event field (pin, chat rules) applied at the event's current version:
// read, compare-and-set, and on a lost race read and try once more before answering 409.

import { isDbError, type EventPatch, type EventRecord, type EventRepo } from '@fanfare/db';
import { ApiError } from './problem.js';

export async function updateEventAtLatest(
  events: EventRepo,
  id: string,
  patch: (current: EventRecord) => EventPatch,
): Promise<{ before: EventRecord; after: EventRecord }> {
  for (let attempt = 0; ; attempt++) {
    const before = await events.get(id);
    if (!before) throw new ApiError('event_not_found', 'no event with this id');
    try {
      return { before, after: await events.update(id, patch(before), before.version) };
    } catch (err) {
      if (attempt > 0 || !isDbError(err) || err.code !== 'version_conflict') throw err;
    }
  }
}
