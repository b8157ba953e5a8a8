// Closing a reconnecting fan's gap. The fan says the last seq it saw (`?since=`); the room answers
// with every later message, from its recent buffer when it reaches back far enough, else from the
// event log. The log read happens during the upgrade (async); the stitch with what the room has
// published meanwhile happens at open (sync), so nothing falls between the two.

import { RESUME_MAX_MESSAGES, type ChatMessage, type Continuity } from '@fanfare/protocol';

/** What the upgrade found for a reconnecting fan; consumed by EventRoom.attach. */
export type ResumePlan =
  | { since: number; lost: true }
  | {
      since: number;
      lost: false;
      /** Messages read from the log (seq > since), oldest first; may be empty. */
      fetched: ChatMessage[];
    };

/**
 * The messages a fan resuming after `plan.since` must get in its welcome, given what the room
 * has published (`recent`, ascending, ending at `publishedSeq`). Pending messages are not
 * included: they reach the fan through the topic after the welcome.
 */
export function stitchResume(
  plan: ResumePlan,
  recent: readonly ChatMessage[],
  publishedSeq: number,
): { continuity: Continuity; chat: ChatMessage[] } | undefined {
  if (plan.lost) return undefined;
  const chat = plan.fetched.filter((m) => m.seq <= publishedSeq);
  let through = Math.max(plan.since, chat.at(-1)?.seq ?? 0);
  if (through < publishedSeq) {
    const firstRecent = recent[0]?.seq ?? publishedSeq + 1;
    if (firstRecent > through + 1) return undefined; // the buffer no longer reaches back
    for (const m of recent) if (m.seq > through) chat.push(m);
    through = publishedSeq;
  }
  if (chat.length > RESUME_MAX_MESSAGES) return undefined;
  return { continuity: 'resumed', chat };
}
