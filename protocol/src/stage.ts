// What a producer controls in a live event, as fans see it: the lifecycle state, the pinned
// message, the chat rules that affect what a fan may send, and the polls. The API projects it
// from Postgres; every shard mirrors it and sends it in the welcome and in `stage` frames.

/** The event lifecycle (the API's state machine; db/ stores it). */
export const EVENT_STATES = ['draft', 'scheduled', 'live', 'ended', 'archived'] as const;
export type EventState = (typeof EVENT_STATES)[number];

/**
 * What a fan token may entitle its holder to. `public`: anyone (every token); `ticketed`: the
 * holder of a ticket, minted by the ticketing system through the API. Absent `ent` = public.
 */
export const ENTITLEMENTS = ['public', 'ticketed'] as const;
export type Entitlement = (typeof ENTITLEMENTS)[number];

/** Who may join an event: anyone (`public`) or ticket holders only (`ticketed`). */
export const EVENT_ACCESS = ['public', 'ticketed'] as const;
export type EventAccess = (typeof EVENT_ACCESS)[number];

export const POLL_STATES = ['open', 'closed', 'cancelled'] as const;
export type PollState = (typeof POLL_STATES)[number];

/** Options a poll may have. */
export const POLL_OPTIONS_MIN = 2;
export const POLL_OPTIONS_MAX = 5;
/** Longest poll question and option, characters. */
export const POLL_QUESTION_MAX_CHARS = 200;
export const POLL_OPTION_MAX_CHARS = 80;
/** How long a poll may stay open, seconds; it closes by itself at the end. */
export const POLL_DURATION_MIN_S = 15;
export const POLL_DURATION_MAX_S = 1800;
/** Longest poll id, characters (ids are server-made; this bounds what a client may send). */
export const POLL_ID_MAX_CHARS = 64;

/** Slow mode: the wait between one fan's messages, seconds. Moderators and producers are exempt. */
export const SLOW_MODE_MIN_S = 3;
export const SLOW_MODE_MAX_S = 120;

/** An event's chat ingest cap (`chatCapPerSec`): accepted messages per second across the event. */
export const CHAT_CAP_MIN_PER_SEC = 1;
export const CHAT_CAP_MAX_PER_SEC = 100_000;

/**
 * Shards send a poll's running tally at most this often, ms (twice a second), and only when it
 * changed: a tally is a versioned snapshot, never one frame per vote.
 */
export const TALLY_INTERVAL_MS = 500;

export interface PollResult {
  /** Votes per option, index-aligned with `options`. */
  counts: number[];
  total: number;
}

export interface PollView {
  id: string;
  question: string;
  options: string[];
  state: PollState;
  /** ms since the Unix epoch. */
  opensAt: number;
  /** When voting ends (auto-close), ms since the Unix epoch. */
  closesAt: number;
  /** The exact recount, once `state` is `closed`. */
  result?: PollResult;
}

/** A message pinned above the chat. */
export interface PinView {
  /** The chat message pinned, when it is one; absent for a producer's own notice. */
  msgId?: string;
  text: string;
  authorName?: string;
  /** ms since the Unix epoch. */
  pinnedAt: number;
}

export interface StageView {
  /** Grows with every change; a fan keeps the stage with the highest version. */
  version: number;
  title: string;
  state: EventState;
  pinned: PinView | null;
  /** Seconds between one fan's messages; null when slow mode is off. */
  slowModeS: number | null;
  /** Only fans holding a `ticketed` entitlement (and staff) may chat. */
  entitledOnlyChat: boolean;
  /** Open polls, and the most recently settled one (for its result), oldest first. */
  polls: PollView[];
}
