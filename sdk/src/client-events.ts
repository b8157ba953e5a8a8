// What a FanfareClient tells the app, as a typed map from event name to payload. Each payload
// type states when it is emitted and in what order relative to the others.

import type {
  ChatMessage,
  Continuity,
  ErrorFrame,
  Presence,
  Reactions,
  Welcome,
} from '@fanfare/protocol';
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
   * Once per welcome, after `welcome` and before its snapshot's chat. `lost` means messages were
   * missed: the app should drop what it shows; the snapshot's latest messages follow as `chat`.
   */
  continuity: Continuity;
  /**
   * One call per message, in strictly increasing `seq`, never the same `seq` twice (except after
   * a `continuity: 'lost'`, when the log itself may have started over). Includes the snapshot's
   * messages.
   */
  chat: ChatMessage;
  /** Reaction taps of the latest window (superseded frames; the server may skip some). */
  reactions: Reactions;
  /** Viewers now (superseded frames; the server may skip some). */
  presence: Presence;
  /** An error frame that answers no pending `sendChat` (e.g. `reaction_rate_limited`). */
  error: ErrorFrame;
  /** The connection was lost and a reconnect is scheduled; state is `waiting`. */
  reconnecting: ReconnectInfo;
  /** The client is closed for good (by `close()` or a final close code). Emitted once. */
  closed: CloseInfo;
}
