// The wire protocol v1 as two discriminated unions on `type`: what a client may send and what the
// server sends. JSON text frames; field names are part of the contract (docs/protocol.md).

import type { ErrorCode } from './codes.js';
import type { ReactionEmoji, Role } from './limits.js';
import type { StageView } from './stage.js';
import type { PartyChatMessage, PartyCommand, PartyView, Readiness } from './party.js';
import type { Timeline } from './timeline.js';
import type { ResumeTicketGrant } from './resume-ticket.js';
import type { QoeBeacon } from './qoe.js';

/** Who wrote a message, as the token named them. */
export interface Author {
  id: string;
  name: string;
  role: Role;
}

/** One chat message as fans see it. `seq` is per event, gap-free, assigned once by the event log. */
export interface ChatMessage {
  /** Server-assigned id, unique across shards and restarts. */
  id: string;
  /** Position in the event's ordered log; consecutive accepted messages differ by one. */
  seq: number;
  /** Server time the log accepted the message, ms since the Unix epoch. */
  ts: number;
  author: Author;
  text: string;
}

/** Taps per emoji. Emoji with no taps are absent. */
export type ReactionCounts = Partial<Record<ReactionEmoji, number>>;

// ---- client to server ----------------------------------------------------------------------

export interface ChatSend {
  type: 'chat.send';
  text: string;
  /** Optional correlation id, echoed in the `ack` or `error` for this frame. */
  ref?: string;
  /**
   * Optional idempotency key (1-64 characters), unique per message of this user. Sending the
   * same key again (a retry after a reconnect) within 2 minutes stores nothing new: the `ack`
   * names the first copy.
   */
  key?: string;
}

export interface React {
  type: 'react';
  emoji: ReactionEmoji;
  /** Taps merged by the client, 1 to 50 (default 1). */
  count?: number;
}

export interface Ping {
  type: 'ping';
  ref?: string;
  /** The client's clock when sent (any unit); echoed untouched. */
  t?: number;
}

/** A fan's vote in an open poll. One per fan per poll; sending the same vote again is harmless. */
export interface Vote {
  type: 'vote';
  pollId: string;
  /** Index into the poll's `options`. */
  option: number;
  ref?: string;
}

/** Creates a watch party in this event, with this fan as host. Answered by a `party` frame. */
export interface PartyCreate {
  type: 'party.create';
  /** The media to start with (an id or URL the members' players understand). */
  media: string;
  /** Members admitted, 2 to PARTY_SIZE_MAX (default PARTY_SIZE_DEFAULT). */
  maxSize?: number;
  ref?: string;
}

/** Joins the party with this invite code (in this event). Answered by a `party` frame. */
export interface PartyJoin {
  type: 'party.join';
  code: string;
  ref?: string;
}

/** Leaves the party; a leaving host hands over to the earliest-joined online member. */
export interface PartyLeave {
  type: 'party.leave';
  ref?: string;
}

/** A message to the party's members only. */
export interface PartyChatSend {
  type: 'party.chat';
  text: string;
  ref?: string;
}

/**
 * The host changes the timeline. `version` is the timeline version the host's command is based
 * on: a command on a stale timeline is refused with `timeline_conflict` (compare-and-set).
 */
export interface PartyCommandFrame {
  type: 'party.command';
  command: PartyCommand;
  version: number;
  ref?: string;
}

/** This member's player is ready (can play) or buffering. */
export interface PartyReady {
  type: 'party.ready';
  readiness: Readiness;
  /**
   * The member's recent longest round trip to the server, ms (0 to PATH_MS_MAX): a frame from
   * the server reaches it within this. The party schedules starts far enough ahead for its
   * slowest member (`startLeadMs`). Optional: a member that says nothing counts as fast.
   */
  pathMs?: number;
}

/** The host hands the host role to another online member. */
export interface PartyHost {
  type: 'party.host';
  userId: string;
  ref?: string;
}

export type ClientMessage =
  | ChatSend
  | React
  | Ping
  | Vote
  | PartyCreate
  | PartyJoin
  | PartyLeave
  | PartyChatSend
  | PartyCommandFrame
  | PartyReady
  | PartyHost
  | QoeBeacon;
export type ClientMessageType = ClientMessage['type'];

// ---- server to client ----------------------------------------------------------------------

/**
 * How the snapshot relates to what the client already had.
 * - `fresh`: no `since` was given; `chat` holds the most recent messages.
 * - `resumed`: `chat` holds every message after the client's `since`, in order, none missing.
 * - `lost`: the gap could not be filled (past retention, too far behind, or `since` belongs to
 *   another epoch: the log started over); `chat` holds the most recent messages of `epoch` and
 *   the client should start over from them.
 */
export type Continuity = 'fresh' | 'resumed' | 'lost';

export interface Snapshot {
  continuity: Continuity;
  /**
   * `fresh`/`lost`: the most recent messages (up to 50). `resumed`: every message after `since`.
   * Deleted messages are never included.
   */
  chat: ChatMessage[];
  /**
   * `resumed` only: deletions after `since`, so the client drops messages it already holds.
   * Absent when there are none.
   */
  deleted?: Tombstone[];
  /**
   * The history every seq of this session counts in (see StreamPosition). It never changes
   * within a session: when the event's log starts over, the server closes the session with
   * 4003 `log_restarted`, and the resume answers `lost`. Resume with `since` and this epoch.
   */
  epoch: string;
  /** The event's latest sequence number over messages and deletions (0 before the first). */
  lastSeq: number;
  /** The event's stage: state, pin, chat rules, polls. */
  stage: StageView;
  /** The latest running tally of each open poll. */
  tallies: PollTally[];
  /** Fans connected to the event now, across all shards. */
  viewers: number;
  /** Reaction taps in the most recent window. */
  reactions: ReactionCounts;
}

export interface Welcome {
  type: 'welcome';
  version: number;
  sessionId: string;
  eventId: string;
  user: Author;
  /** Server clock, ms since the Unix epoch. */
  serverTime: number;
  snapshot: Snapshot;
  /**
   * A ticket for the next connection (`?ticket=` instead of `?token=`), accepted by any shard of
   * the cluster until `expiresAt`; absent when the shard issues none.
   */
  resumeTicket?: ResumeTicketGrant;
}

/**
 * A moderator deleted message `id`. `seq` is the deletion's own position in the event's log;
 * the message deleted always has a lower seq. Clients remove the message wherever they show it.
 */
export interface Tombstone {
  seq: number;
  id: string;
}

/**
 * The next stretch of the event's ordered log: messages and deletions, each in seq order. The
 * seqs of `messages` and `deleted` together continue the client's last seq without a gap; a
 * gap means frames were lost and the client should reconnect with `since`. A fan sees every seq
 * exactly once per session. Apply messages first, then deletions.
 */
export interface ChatBatch {
  type: 'chat';
  messages: ChatMessage[];
  /** Absent when the batch deletes nothing. */
  deleted?: Tombstone[];
}

/** Reaction taps in the last window (at most one frame per window; superseded, droppable). */
export interface Reactions {
  type: 'reactions';
  counts: ReactionCounts;
  windowMs: number;
}

/** Viewers now (at most one frame per second; superseded, droppable). */
export interface Presence {
  type: 'presence';
  viewers: number;
}

/**
 * A `chat.send` carrying `ref` was stored with this id at (epoch, seq). `duplicate` is true when
 * its `key` had already been stored: nothing new was sent to anyone. An `epoch` other than the
 * welcome's means the log started over meanwhile (the session is about to close with 4003).
 */
export interface Ack {
  type: 'ack';
  ref: string;
  id: string;
  epoch: string;
  seq: number;
  duplicate?: boolean;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The `ref` of the client frame this answers, when it had one. */
  ref?: string;
  /** For `retry-after` codes: how long to wait, ms. */
  retryAfterMs?: number;
}

/** A `vote` was recorded. `duplicate`: this fan had already cast this same vote. */
export interface Voted {
  type: 'voted';
  ref?: string;
  pollId: string;
  option: number;
  duplicate?: boolean;
}

/** A poll's running tally: a versioned snapshot, at most one per TALLY_INTERVAL_MS per poll. */
export interface PollTally {
  pollId: string;
  /** Grows with every counted vote; keep the highest. */
  version: number;
  counts: number[];
  total: number;
}

export interface TallyFrame extends PollTally {
  type: 'tally';
}

/** The event's stage changed (state, pin, chat rules, a poll opened or settled). */
export interface StageFrame {
  type: 'stage';
  stage: StageView;
}

/**
 * The party this fan is in, whole: on create, join, and every change to members, readiness, host
 * or gate. `ref` answers the fan's own `party.create` / `party.join` / `party.host`.
 */
export interface PartyFrame {
  type: 'party';
  party: PartyView;
  ref?: string;
}

/**
 * The party's timeline: on every host command, when a gate opens, and every PARTY_HEARTBEAT_MS.
 * Keep the highest `timeline.version`.
 */
export interface PartyTimelineFrame {
  type: 'party.timeline';
  partyId: string;
  timeline: Timeline;
  /** Server time when sent, ms since the Unix epoch. */
  serverTime: number;
}

export interface PartyChat {
  type: 'party.chat';
  message: PartyChatMessage;
}

/** This fan is no longer in the party (`left`: it asked; `gone`: the party no longer exists). */
export interface PartyLeft {
  type: 'party.left';
  partyId: string;
  reason: 'left' | 'gone';
  ref?: string;
}

/**
 * A new resume ticket for this session, replacing the one the fan holds (the welcome's or an
 * earlier `ticket`'s): the same claims, a new lifetime. The shard sends one before the ticket
 * held is half-way to its expiry, for as long as the session lasts and the token it descends
 * from allows (docs/protocol.md, "Renewal"). Keep only the newest; reconnect with it.
 */
export interface TicketFrame extends ResumeTicketGrant {
  type: 'ticket';
}

export interface Pong {
  type: 'pong';
  ref?: string;
  t?: number;
  serverTime: number;
}

export type ServerMessage =
  | Welcome
  | ChatBatch
  | Reactions
  | Presence
  | Ack
  | ErrorFrame
  | Pong
  | Voted
  | TallyFrame
  | StageFrame
  | PartyFrame
  | PartyTimelineFrame
  | PartyChat
  | PartyLeft
  | TicketFrame;
export type ServerMessageType = ServerMessage['type'];
