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
