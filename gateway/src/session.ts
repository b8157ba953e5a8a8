// Per-connection state, held in uWS's typed userData: set once at upgrade, never patched onto
// the socket. A few numbers and references per fan; the big things (history, aggregation) are
// per event, in EventRoom.

import type { Author, Entitlement } from '@fanfare/protocol';
import type { ChatGuard } from './chat-guard.js';
import type { EventRoom } from './event-room.js';
import type { Socket } from './send.js';
import type { ResumePlan } from './resume.js';
import type { Bucket } from './token-bucket.js';

export interface Session {
  readonly sessionId: string;
  readonly user: Author;
  readonly eventId: string;
  /** What the token entitles the fan to beyond `public` (from its `ent` claim). */
  readonly entitlements: readonly Entitlement[];
  readonly version: number;
  readonly room: EventRoom;
  readonly chat: ChatGuard;
  readonly reactions: Bucket;
  readonly frames: Bucket;
  /** Votes per fan, beside the one-vote-per-poll rule: bounds store calls from one socket. */
  readonly votes: Bucket;
  /** Party chat messages per fan (`party.chat`), apart from the event's chat. */
  readonly partyChat: Bucket;
  /** Party changes per fan (create, join, leave, command, ready, host): each costs a store write. */
  readonly partyOps: Bucket;
  /** The watch party this session is a member of, once known on this shard. */
  partyId: string | undefined;
  /** When this session's last chat message was accepted, ms (slow mode); undefined before. */
  lastChatAt: number | undefined;
  /** Set at upgrade for a reconnecting fan (`?since=`), consumed by the welcome. */
  resume: ResumePlan | undefined;
  /** True while the fan is too far behind to get superseded frames. */
  lagging: boolean;
  /** Set by the close handler; the socket must not be touched after. */
  closed: boolean;
}

/** Ends a session with a close code; the socket is not touched again after this. */
export function endSession(ws: Socket, session: Session, code: number, reason: string): void {
  if (session.closed) return;
  session.closed = true;
  ws.end(code, reason);
}
