// Watch parties: a small group inside an event watching the same media together, with its own
// chat and a shared, server-authoritative timeline (timeline.ts) that the host drives and every
// member's player follows. Parties live in a shared store, so members may sit on different
// shards and a party outlives the shard that held its host.

import type { Author } from './messages.js';
import type { Timeline } from './timeline.js';

/** Members a party admits unless its creator asks for fewer. */
export const PARTY_SIZE_DEFAULT = 50;
/** Most members a party may be created for. */
export const PARTY_SIZE_MAX = 200;
/** Invite codes: this many characters from INVITE_CODE_ALPHABET (no 0/O, 1/I/L). */
export const INVITE_CODE_LENGTH = 8;
export const INVITE_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** Longest media id or URL a host may set, characters. */
export const PARTY_MEDIA_MAX_CHARS = 2048;
/** Playback rates a host may set. */
export const PARTY_RATE_MIN = 0.25;
export const PARTY_RATE_MAX = 4;
/**
 * How long a start or a resume after a seek waits for every online member to be ready, ms;
 * then the party goes without the laggards (they catch up by seeking).
 */
export const READY_WAIT_MS = 30_000;
/**
 * How far in the future a start (and a rate change) takes effect, ms: every member receives the
 * timeline before the instant it names, so all start together instead of each as the message
 * arrives. Members hold the start frame (or keep the old rate) until then.
 */
export const START_LEAD_MS = 300;
/**
 * Processing and timer slack added to the slowest member's path when the lead is chosen, ms:
 * the frame must not only arrive before `at`, the member must also have acted on it.
 */
export const START_LEAD_MARGIN_MS = 50;
/**
 * The longest lead a start or a rate change waits, ms, however slow a member's path: past it a
 * slow member starts late and catches up (a seek or the rate nudge) rather than making everyone
 * wait.
 */
export const MAX_START_LEAD_MS = 1_500;
/** Largest `pathMs` a member may report in `party.ready`, ms. */
export const PATH_MS_MAX = 10_000;
/** A member reports its path in steps of this, ms, and again only when it moved by more. */
export const PATH_REPORT_STEP_MS = 50;

/**
 * The `pathMs` a member reports for a longest recent round trip of `rttMs`: rounded up to a
 * step, within what the protocol takes; undefined before any round trip.
 */
export function reportedPathMs(rttMs: number | undefined): number | undefined {
  if (rttMs === undefined || !Number.isFinite(rttMs)) return undefined;
  return Math.min(PATH_MS_MAX, Math.ceil(rttMs / PATH_REPORT_STEP_MS) * PATH_REPORT_STEP_MS);
}

/**
 * How far ahead a start or a rate change takes effect, ms, for members whose paths are
 * `pathsMs` (each the member's recent longest round trip, which bounds the server-to-member leg
 * whatever the split; undefined when it said nothing): long enough for the slowest to receive
 * it in time, at least START_LEAD_MS and at most MAX_START_LEAD_MS. A fixed lead made every member
 * whose path was longer than it start late, and converge only a second or more later.
 */
export function startLeadMs(pathsMs: Iterable<number | undefined>): number {
  let slowest = 0;
  for (const p of pathsMs) if (p !== undefined && p > slowest) slowest = p;
  return Math.min(MAX_START_LEAD_MS, Math.max(START_LEAD_MS, slowest + START_LEAD_MARGIN_MS));
}
/** Shards resend the timeline this often, ms, so a member that missed a change converges. */
export const PARTY_HEARTBEAT_MS = 5_000;
/** A host that has been offline this long hands over to the earliest-joined online member, ms. */
export const HOST_GRACE_MS = 5_000;

/** What a member's player reports: `buffering` while it cannot play on. */
export type Readiness = 'ready' | 'buffering';

export interface PartyMember {
  userId: string;
  name: string;
  /** ms since the Unix epoch; the host passes to the earliest-joined online member. */
  joinedAt: number;
  readiness: Readiness;
  /** Connected now (on any shard). */
  online: boolean;
}

/**
 * A start waiting for members to be ready: the timeline stays paused until every online member
 * is ready or `until` passes, then plays from where it is.
 */
export interface PartyGate {
  /** ms since the Unix epoch. */
  until: number;
  /** Online members not ready yet. */
  waitingFor: string[];
}

export interface PartyView {
  id: string;
  eventId: string;
  /** Share it: others join with it. */
  code: string;
  hostId: string;
  maxSize: number;
  members: PartyMember[];
  timeline: Timeline;
  gate: PartyGate | null;
  /** Grows with every change to the party; keep the highest. */
  version: number;
}

/** What the host may do to the timeline. */
export type PartyCommand =
  | { op: 'play' }
  | { op: 'pause' }
  | { op: 'seek'; position: number }
  | { op: 'rate'; rate: number }
  | { op: 'media'; media: string };

export interface PartyChatMessage {
  id: string;
  partyId: string;
  /** Server time, ms since the Unix epoch. */
  ts: number;
  author: Author;
  text: string;
}
