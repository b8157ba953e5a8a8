// Closing a reconnecting fan's gap: the plan made at the upgrade and its stitch at open. The fan
// says the last position it saw (`?since=&epoch=`); the room answers with every later message of
// that epoch, from its recent buffer when it reaches back far enough, else from the event log, or
// says continuity was lost (another epoch, past retention, too far behind). The log read happens
// during the upgrade (async); the stitch with what the room has published meanwhile happens at
// open (sync), so nothing falls between the two. Messages deleted within the gap are left out;
// every deletion after `since` is listed, so the client drops the messages it already holds.

import {
  RESUME_MAX_MESSAGES,
  type ChatMessage,
  type Continuity,
  type Tombstone,
} from '@fanfare/protocol';
import type { LogItem } from './log-item.js';

/** What the upgrade found for a reconnecting fan; consumed by EventRoom.attach. */
export type ResumePlan =
  | { since: number; lost: true }
  | {
      since: number;
      /** The epoch `since` counts in: the room's when the plan was made. */
      epoch: string;
      lost: false;
      /** Entries read from the log (seq > since), oldest first; may be empty. */
      fetched: LogItem[];
    };

/** What a room has published and still holds, for resumes. */
export interface RecentView {
  /** The epoch of everything below. */
  epoch: string;
  /** The first seq the buffer accounts for; every later published record is in it. */
  from: number;
  /** Published messages from `from` on, ascending, without the deleted ones. */
  messages: readonly ChatMessage[];
  /** Published deletions from `from` on, ascending. */
  deleted: readonly Tombstone[];
  /** The seq of the last record published. */
  publishedSeq: number;
}

export interface Resumed {
  continuity: Continuity;
  chat: ChatMessage[];
  deleted: Tombstone[];
}

/**
 * What a fan resuming after `plan.since` (in `plan.epoch`) must get in its welcome, given what the room has
 * published. Records not yet published are not included: they reach the fan through the topic
 * after the welcome. Undefined when the gap cannot be closed.
 */
export function stitchResume(plan: ResumePlan, recent: RecentView): Resumed | undefined {
  // The log started over between the upgrade and the open: the plan counts in another history.
  if (plan.lost || plan.epoch !== recent.epoch) return undefined;
  const messages: ChatMessage[] = [];
  const deleted: Tombstone[] = [];
  let through = plan.since;
  for (const item of plan.fetched) {
    if (item.seq > recent.publishedSeq) break;
    if (item.message) messages.push(item.message);
    if (item.tombstone) deleted.push(item.tombstone);
    through = Math.max(through, item.seq);
  }
  if (through < recent.publishedSeq) {
    if (recent.from > through + 1) return undefined; // the buffer no longer reaches back
    for (const m of recent.messages) if (m.seq > through) messages.push(m);
    for (const t of recent.deleted) if (t.seq > through) deleted.push(t);
  }
  const gone = new Set(deleted.map((t) => t.id));
  const chat = gone.size === 0 ? messages : messages.filter((m) => !gone.has(m.id));
  if (chat.length > RESUME_MAX_MESSAGES) return undefined;
  return { continuity: 'resumed', chat, deleted };
}
