// What a FanfareClient tells the app, as a typed map from event name to payload. Each payload
// type states when it is emitted and in what order relative to the others.

import type {
  ChatMessage,
  Continuity,
  ErrorFrame,
  PartyChatMessage,
  PartyLeft,
  PartyView,
  PollTally,
  Presence,
  Reactions,
  StageView,
  Timeline,
  Tombstone,
  Welcome,
} from '@fanfare/protocol';
import type { ChatDelay } from './outbox.js';
import type { ClientState } from './state.js';

/** A move of the connection state machine (see state.ts). */
export interface StateChange {
  state: ClientState;
  previous: ClientState;
}

/** A reconnect was scheduled. */
export interface ReconnectInfo {
  /** The wait before the next attempt, ms. */
  delayMs: number;
  /**
   * The close code that ended the connection. Absent when the client itself ended it (a gap in
   * the chat seqs) or never had one (the token provider failed).
   */
  code?: number;
  reason: string;
  /** What failed, when something threw (the token provider, the WebSocket constructor). */
  cause?: unknown;
}

/** The party's timeline moved on (a host command, a gate opening, a newer copy after a drop). */
export interface PartyTimelineUpdate {
  partyId: string;
  timeline: Timeline;
}

/** The client ended for good. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** Every event and its payload. Handlers run synchronously, in subscription order. */
export interface FanfareClientEvents {
  /** Every state change; the first is idle -> connecting. */
  state: StateChange;
  /** Each session's first frame, after the state became `open`. */
  welcome: Welcome;
  /**
   * Once per welcome, right after `welcome`. `lost` means messages were missed: the app should
   * drop what it shows; the snapshot's latest messages follow as `chat`. After `continuity`
   * come, in this order: `stage` and `tally` when the snapshot's are newer than the client's,
   * the snapshot's `chat`, then its `deleted`.
   */
  continuity: Continuity;
  /**
   * One call per message, in strictly increasing `seq`, never the same `seq` twice (except after
   * a `continuity: 'lost'`, when the log itself may have started over). Includes the snapshot's
   * messages. Messages and deletions share one seq sequence: the seqs of `chat` and `deleted`
   * together have no gaps.
   */
  chat: ChatMessage;
  /**
   * A moderator deleted message `id`: remove it wherever it is shown. One call per deletion,
   * never the same `seq` twice, after the `chat` events of the same frame (a frame may carry a
   * message and its deletion). The id may name a message the app never got (one deleted while
   * the client was away is left out of the resumed snapshot): ignore it then.
   */
  deleted: Tombstone;
  /**
   * The event's stage (state, pin, chat rules, polls), each time a higher version arrives (the
   * first welcome's always does). Older or repeated versions are not emitted. Also `client.stage`.
   */
  stage: StageView;
  /**
   * A poll's running tally, each time a higher version for that poll arrives (superseded: the
   * server sends at most two a second per poll, and may skip some). Also `client.tally(pollId)`.
   */
  tally: PollTally;
  /** Reaction taps of the latest window (superseded frames; the server may skip some). */
  reactions: Reactions;
  /** Viewers now (superseded frames; the server may skip some). */
  presence: Presence;
  /**
   * The party this fan is in, each time a higher version arrives: on create, join, the server's
   * re-attach after a reconnect, and every change to members, readiness, host or gate. Its
   * `timeline` is the newest one seen (see `partyTimeline`). Also `client.party.view`.
   */
  party: PartyView;
  /**
   * The party's timeline, each time a higher `timeline.version` arrives (from a `party` or a
   * `party.timeline` frame; heartbeats that repeat it are not emitted). After `party` when one
   * frame brought both. Feed it to a SyncController, or use `watchParty`.
   */
  partyTimeline: PartyTimelineUpdate;
  /** A message to the party's members, this fan's own included (the server echoes them). */
  partyChat: PartyChatMessage;
  /**
   * This fan is no longer in the party (`left`: it asked; `gone`: the party ended); emitted
   * once per party, after which `client.party.view` is undefined.
   */
  partyLeft: PartyLeft;
  /**
   * An error frame that answers no pending request (`sendChat`, `vote`, a party request), e.g.
   * `reaction_rate_limited`.
   */
  error: ErrorFrame;
  /**
   * A `sendChat` was refused with a `retry-after` code (`rate_limited`, `slow_mode`, `timed_out`,
   * `chat_busy`, ...) and will be resent by the client after `waitMs`; its promise stays pending.
   * Once per refusal; the last refusal rejects the promise instead (ChatRefusedError).
   */
  chatDelayed: ChatDelay;
  /** The connection was lost and a reconnect is scheduled; state is `waiting`. */
  reconnecting: ReconnectInfo;
  /** The client is closed for good (by `close()` or a final close code). Emitted once. */
  closed: CloseInfo;
}
