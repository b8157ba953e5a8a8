// Per-connection state, held in uWS's typed userData: created at upgrade with every field it
// will ever have, never patched onto the socket. Memory per fan is the shard's limit, and most fans only watch: so an idle fan's
// session is this one object plus its user, and everything only a chat, a vote, a reaction or
// a party needs (a ChatGuard, token buckets) is created on first use by the accessors below.
// The big things (history, aggregation) are per event, in EventRoom.

import type { Author, Entitlement, ResumeTicketGrant } from '@fanfare/protocol';
import { ChatGuard, type ChatLimits } from './chat-guard.js';
import type { EventRoom } from './event-room.js';
import { countryLabel } from './qoe-metrics.js';
import type { ResumePlan } from './resume-plan.js';
import { newBucket, refill, type Bucket, type BucketSpec } from './token-bucket.js';
import type { Uws } from './uws.js';

/*
 * Why creating a bucket on first use changes nothing: a bucket refills to its burst and no
 * further, and nothing takes from it before its first use. So a bucket created at upgrade and
 * first used at `now` holds exactly `burst` tokens then (min(burst, burst + refill) = burst),
 * the same as one created full at `now`; the first `take` leaves both with the same tokens and
 * `updatedAt = now`, and from there they are the same bucket. The same holds for a ChatGuard:
 * its bucket as above, its memories empty until its first admission either way.
 */

/**
 * What the upgrade hands uWS for a socket: the Session behind one property. The uWS.js build the
 * shards run copies every own property of the upgrade's userData onto its WebSocket object, and
 * `getUserData()` returns that object: a Session passed as the userData put its ~20 fields on
 * each WebSocket, past V8's fast-property limit, into a dictionary of ~830 bytes per fan (heap
 * snapshot at 5,000 fans, docs/benchmarks.md), beside the Session itself. One property keeps
 * the WebSocket small; read the Session through `sessionOf`.
 */
export interface SocketData {
  readonly session: Session;
}

/** A fan's socket; its userData holds the fan's Session (see SocketData). */
export type Socket = Uws.WebSocket<SocketData>;

/** The fan's Session behind a socket. */
export function sessionOf(ws: Socket): Session {
  return ws.getUserData().session;
}

export interface Session {
  readonly sessionId: string;
  readonly user: Author;
  readonly eventId: string;
  /** What the token entitles the fan to beyond `public` (from its `ent` claim). */
  readonly entitlements: readonly Entitlement[];
  /** The QoE `country` label: the token's `cty`, or `unknown` (one shared string per code). */
  readonly country: string;
  readonly version: number;
  readonly room: EventRoom;
  /**
   * The flood-control bucket for client frames, as two numbers rather than a `Bucket`: every
   * fan sends frames (pings at least), so it is never lazy, and inline it costs no object.
   * Spend through `takeFrame`.
   */
  frameTokens: number;
  /** When `frameTokens` was last counted, ms. */
  frameTokensAt: number;
  /** Chat admission, from the first `chat.send`; read through `chatGuardOf`. */
  chat: ChatGuard | undefined;
  /** Reaction taps per fan, from the first `react`; read through `bucketOf`. */
  reactions: Bucket | undefined;
  /**
   * Votes per fan, beside the one-vote-per-poll rule: bounds store calls from one socket. From
   * the first vote; read through `bucketOf`.
   */
  votes: Bucket | undefined;
  /** Party chat messages per fan (`party.chat`), apart from the event's chat; lazy. */
  partyChat: Bucket | undefined;
  /** Party changes per fan (create, join, leave, command, ready, host): each a store write; lazy. */
  partyOps: Bucket | undefined;
  /** The watch party this session is a member of, once known on this shard. */
  partyId: string | undefined;
  /** When this session's last chat message was accepted, ms (slow mode); undefined before. */
  lastChatAt: number | undefined;
  /** Set at upgrade for a reconnecting fan (`?since=&epoch=`), consumed by the welcome. */
  resume: ResumePlan | undefined;
  /** The resume ticket for the welcome, consumed by it (so no session keeps it after). */
  resumeTicket: ResumeTicketGrant | undefined;
  /**
   * The expiry of the token the session descends from (its `exp`, or the ticket's `texp`),
   * seconds since the epoch (an integer: no heap number); renewed tickets never pass it.
   */
  readonly tokenExp: number;
  /** True while the fan is too far behind to get superseded frames. */
  lagging: boolean;
  /** Set by the close handler; the socket must not be touched after. */
  closed: boolean;
}

/** What the upgrade knows about a fan it admits. */
export interface SessionInit {
  sessionId: string;
  user: Author;
  eventId: string;
  entitlements: readonly Entitlement[];
  /** The token's `cty` claim, if any. */
  country: string | undefined;
  version: number;
  room: EventRoom;
  resume: ResumePlan | undefined;
  resumeTicket: ResumeTicketGrant | undefined;
  /** The token's expiry, seconds (see Session). */
  tokenExp: number;
  /** The frames bucket's spec: it starts full. */
  frames: BucketSpec;
  now: number;
}

const sharedEntitlements = new Map<string, readonly Entitlement[]>();

/**
 * One frozen array per distinct set of entitlements, shared by every session that holds it:
 * almost every fan holds none or `ticketed`, and an array per fan costs 32 bytes or more.
 */
export function shareEntitlements(entitlements: readonly Entitlement[]): readonly Entitlement[] {
  const key = entitlements.join(',');
  let shared = sharedEntitlements.get(key);
  if (shared === undefined) {
    shared = Object.freeze([...entitlements]);
    sharedEntitlements.set(key, shared);
  }
  return shared;
}

/** A new session: only what every fan needs; the rest comes on first use. */
export function newSession(init: SessionInit): Session {
  // Every field is set here, the lazy ones to undefined, so all sessions share one shape (one
  // hidden class in V8) and the hot paths that read them stay monomorphic.
  return {
    sessionId: init.sessionId,
    user: init.user,
    eventId: init.eventId,
    entitlements: shareEntitlements(init.entitlements),
    country: countryLabel(init.country),
    version: init.version,
    room: init.room,
    frameTokens: init.frames.burst,
    frameTokensAt: init.now,
    chat: undefined,
    reactions: undefined,
    votes: undefined,
    partyChat: undefined,
    partyOps: undefined,
    partyId: undefined,
    lastChatAt: undefined,
    resume: init.resume,
    resumeTicket: init.resumeTicket,
    tokenExp: init.tokenExp,
    lagging: false,
    closed: false,
  };
}

/**
 * Counts one client frame against the flood limit: true if it fits, false if the fan is over
 * it (nothing is counted then). The same arithmetic as `take` on a `Bucket`.
 */
export function takeFrame(session: Session, spec: BucketSpec, now: number): boolean {
  const tokens = refill(session.frameTokens, session.frameTokensAt, spec, now);
  session.frameTokensAt = now;
  const fits = tokens >= 1;
  session.frameTokens = fits ? tokens - 1 : tokens;
  return fits;
}

/** The session's ChatGuard, created on its first use with the staff or fan limits by role. */
export function chatGuardOf(session: Session, limits: ChatLimits, now: number): ChatGuard {
  return (session.chat ??= new ChatGuard(limits, session.user.role !== 'fan', now));
}

/** The session buckets created on first use. */
export type LazyBucket = 'reactions' | 'votes' | 'partyChat' | 'partyOps';

/** The session's `kind` bucket, created full (see above) on its first use. */
export function bucketOf(
  session: Session,
  kind: LazyBucket,
  spec: BucketSpec,
  now: number,
): Bucket {
  return (session[kind] ??= newBucket(spec, now));
}

/** Ends a session with a close code; the socket is not touched again after this. */
export function endSession(ws: Socket, session: Session, code: number, reason: string): void {
  if (session.closed) return;
  session.closed = true;
  ws.end(code, reason);
}
