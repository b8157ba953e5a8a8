// The rules of watch parties as pure functions over the stored PartyRecord: who may join, who
// hosts, what a host command does to the timeline, when a readiness gate opens. No I/O and no
// clock: `now` comes in, so every rule is unit-tested and any shard may apply one and let the
// store's compare-and-set decide whose write counts.
//
// Conventions: a rule returns the very same object when nothing changes (the hub then writes
// nothing), and a fresh copy otherwise. Rules bump `timeline.version` on every timeline change;
// the party's own `version` is bumped once per write by the caller (the store wants exactly
// stored + 1, whatever number of rules went into the write).

import {
  HOST_GRACE_MS,
  INVITE_CODE_ALPHABET,
  INVITE_CODE_LENGTH,
  PARTY_SIZE_DEFAULT,
  READY_WAIT_MS,
  positionAt,
  startLeadMs,
  type ErrorCode,
  type PartyCommand,
  type PartyView,
  type Readiness,
} from '@fanfare/protocol';
import type { PartyMemberRecord, PartyRecord } from '@fanfare/fanout';

export type PartyRefusal = Extract<
  ErrorCode,
  'party_full' | 'not_in_party' | 'not_host' | 'timeline_conflict'
>;

export type Outcome<T = PartyRecord> =
  { ok: true; party: T } | { ok: false; code: PartyRefusal; message: string };

/** Who a rule acts for. */
export interface Person {
  userId: string;
  name: string;
}

function refuse(code: PartyRefusal, message: string): Outcome<never> {
  return { ok: false, code, message };
}

function ok<T>(party: T): Outcome<T> {
  return { ok: true, party };
}

/** A fresh invite code; `randomInt(n)` returns an integer in [0, n). */
export function inviteCode(randomInt: (n: number) => number): string {
  let code = '';
  for (let i = 0; i < INVITE_CODE_LENGTH; i++) {
    code += INVITE_CODE_ALPHABET[randomInt(INVITE_CODE_ALPHABET.length)];
  }
  return code;
}

/** Connected now, on some shard. */
export function isOnline(member: PartyMemberRecord): boolean {
  return member.shardId !== null;
}

/** The member who joined first among `members` (the array is in join order). */
function earliest(members: readonly PartyMemberRecord[]): PartyMemberRecord | undefined {
  let first: PartyMemberRecord | undefined;
  for (const m of members) if (!first || m.joinedAt < first.joinedAt) first = m;
  return first;
}

function memberOf(party: PartyRecord, userId: string): PartyMemberRecord | undefined {
  return party.members.find((m) => m.userId === userId);
}

export interface CreateInput {
  id: string;
  eventId: string;
  code: string;
  host: Person;
  shardId: string;
  media: string;
  maxSize?: number | undefined;
  now: number;
}

/** A new party: its creator hosts, the timeline is paused at 0 on `media`. */
export function createParty(input: CreateInput): PartyRecord {
  const { now } = input;
  return {
    id: input.id,
    eventId: input.eventId,
    code: input.code,
    hostId: input.host.userId,
    maxSize: input.maxSize ?? PARTY_SIZE_DEFAULT,
    members: [newMember(input.host, input.shardId, now)],
    timeline: { media: input.media, position: 0, rate: 1, paused: true, at: now, version: 1 },
    gateUntil: null,
    version: 1,
    createdAt: now,
  };
}

function newMember(who: Person, shardId: string, now: number): PartyMemberRecord {
  // A new player has loaded nothing yet: buffering until it reports ready.
  return {
    userId: who.userId,
    name: who.name,
    joinedAt: now,
    readiness: 'buffering',
    shardId,
    offlineSince: null,
  };
}

/**
 * Admits `who`. A member joining again (another tab, a reconnect) keeps their slot and joinedAt
 * and comes online on `shardId`; anyone else needs a free slot (offline members hold theirs).
 */
export function joinParty(party: PartyRecord, who: Person, shardId: string, now: number): Outcome {
  if (memberOf(party, who.userId)) return ok(goOnline(party, who.userId, shardId));
  if (party.members.length >= party.maxSize) {
    return refuse('party_full', `the party admits ${party.maxSize} members`);
  }
  const next = structuredClone(party);
  next.members.push(newMember(who, shardId, now));
  return ok(settle(next, now));
}

/**
 * Removes `userId`. A leaving host hands over to the earliest-joined online member, else the
 * earliest-joined. Resolves `null` when the last member left: the party is to be removed.
 */
export function leaveParty(
  party: PartyRecord,
  userId: string,
  now: number,
): Outcome<PartyRecord | null> {
  if (!memberOf(party, userId)) return refuse('not_in_party', 'you are not in this party');
  const next = structuredClone(party);
  next.members = next.members.filter((m) => m.userId !== userId);
  if (next.members.length === 0) return ok(null);
  if (next.hostId === userId) next.hostId = successor(next.members)!.userId;
  return ok(settle(next, now));
}

/** Who takes over from a host: the earliest-joined online member, else the earliest-joined. */
function successor(members: readonly PartyMemberRecord[]): PartyMemberRecord | undefined {
  return earliest(members.filter(isOnline)) ?? earliest(members);
}

/** The host hands the role to `targetId`, who must be an online member. */
export function setHost(party: PartyRecord, actorId: string, targetId: string): Outcome {
  if (!memberOf(party, actorId)) return refuse('not_in_party', 'you are not in this party');
  if (party.hostId !== actorId) return refuse('not_host', 'only the host may hand over the role');
  const target = memberOf(party, targetId);
  if (!target || !isOnline(target)) {
    return refuse('not_in_party', `${targetId} is not an online member of this party`);
  }
  if (targetId === actorId) return ok(party);
  return ok({ ...structuredClone(party), hostId: targetId });
}

/**
 * Records a member's player state, and its path when it says (`pathMs`, which sets the party's
 * start lead); a gate may open as a result.
 */
export function setReadiness(
  party: PartyRecord,
  userId: string,
  readiness: Readiness,
  now: number,
  pathMs?: number,
): PartyRecord {
  const member = memberOf(party, userId);
  const samePath = pathMs === undefined || member?.pathMs === pathMs;
  if (!member || (member.readiness === readiness && samePath)) return settle(party, now);
  const next = structuredClone(party);
  const m = memberOf(next, userId)!;
  m.readiness = readiness;
  if (pathMs !== undefined) m.pathMs = pathMs;
  return settle(next, now);
}

/** How far ahead this party's starts and rate changes take effect: for its slowest online member. */
export function partyLeadMs(party: PartyRecord): number {
  return startLeadMs(party.members.filter(isOnline).map((m) => m.pathMs));
}

/** `userId` is connected on `shardId` now. */
export function goOnline(party: PartyRecord, userId: string, shardId: string): PartyRecord {
  const member = memberOf(party, userId);
  if (!member || (member.shardId === shardId && member.offlineSince === null)) return party;
  const next = structuredClone(party);
  const m = memberOf(next, userId)!;
  m.shardId = shardId;
  m.offlineSince = null;
  return next;
}

/**
 * `userId`'s connection on `shardId` ended. Ignored when the member is connected elsewhere by
 * now (a reconnect to another shard may be recorded before the old socket's close is seen).
 */
export function goOffline(
  party: PartyRecord,
  userId: string,
  shardId: string,
  now: number,
): PartyRecord {
  const member = memberOf(party, userId);
  if (!member || member.shardId !== shardId) return party;
  const next = structuredClone(party);
  const m = memberOf(next, userId)!;
  m.shardId = null;
  m.offlineSince = now;
  return settle(next, now);
}

/**
 * A host command, compare-and-set on the timeline: `version` must be the stored timeline's.
 * - play: every online member ready -> plays from where it is at now + the lead; else stays
 *   paused behind a gate (until now + READY_WAIT_MS). Playing or gated already: unchanged.
 * - pause: freezes the position now and cancels a pending gate.
 * - seek: moves the position and marks every member buffering; if it was playing (or about to),
 *   it pauses behind a gate, so the resume waits for the players to catch up.
 * - rate: new rate from now + the lead on (the old one runs until then).
 * The lead is `partyLeadMs`: START_LEAD_MS, or longer for a party with a slow member.
 * - media: new media at 0, paused, every member buffering.
 */
export function applyCommand(
  party: PartyRecord,
  actorId: string,
  command: PartyCommand,
  version: number,
  now: number,
): Outcome {
  if (!memberOf(party, actorId)) return refuse('not_in_party', 'you are not in this party');
  if (party.hostId !== actorId) return refuse('not_host', 'only the host may control playback');
  if (version !== party.timeline.version) {
    return refuse(
      'timeline_conflict',
      `the timeline is at version ${party.timeline.version}, not ${version}`,
    );
  }
  const t = party.timeline;
  const next = structuredClone(party);
  const nt = next.timeline;
  switch (command.op) {
    case 'play':
      if (!t.paused || party.gateUntil !== null) return ok(party);
      if (allReady(party)) {
        Object.assign(nt, { paused: false, at: now + partyLeadMs(party) });
      } else {
        next.gateUntil = now + READY_WAIT_MS;
        return ok(next); // the timeline itself is unchanged until the gate opens
      }
      break;
    case 'pause':
      if (t.paused && party.gateUntil === null) return ok(party);
      next.gateUntil = null;
      if (t.paused) return ok(next);
      Object.assign(nt, { position: positionAt(t, Math.max(now, t.at)), paused: true, at: now });
      break;
    case 'seek': {
      const resume = !t.paused || party.gateUntil !== null;
      Object.assign(nt, { position: command.position, paused: true, at: now });
      for (const m of next.members) m.readiness = 'buffering';
      next.gateUntil = resume ? now + READY_WAIT_MS : null;
      break;
    }
    case 'rate': {
      if (t.rate === command.rate) return ok(party);
      // Rebase the lead ahead, as a start does, so members switch rates at one instant instead
      // of each as the frame arrives (or where a start still in its lead will begin).
      const at = t.paused ? t.at : Math.max(now + partyLeadMs(party), t.at);
      Object.assign(nt, { position: positionAt(t, at), rate: command.rate, at });
      break;
    }
    case 'media':
      Object.assign(nt, { media: command.media, position: 0, paused: true, at: now });
      for (const m of next.members) m.readiness = 'buffering';
      next.gateUntil = null;
      break;
  }
  nt.version = t.version + 1;
  return ok(next);
}

/** Every online member's player is ready (true when nobody is online). */
function allReady(party: PartyRecord): boolean {
  return party.members.every((m) => !isOnline(m) || m.readiness === 'ready');
}

/**
 * Opens a pending gate when every online member is ready or its time is up: the timeline plays
 * from where it paused, at now + the lead, without the laggards.
 */
export function settle(party: PartyRecord, now: number): PartyRecord {
  if (party.gateUntil === null) return party;
  if (!allReady(party) && now < party.gateUntil) return party;
  const next = structuredClone(party);
  next.gateUntil = null;
  Object.assign(next.timeline, {
    paused: false,
    at: now + partyLeadMs(party),
    version: party.timeline.version + 1,
  });
  return next;
}

export interface Liveness {
  /** The shard applying the rule. */
  shardId: string;
  /** Users with a socket in this party on this shard now. */
  localUsers: ReadonlySet<string>;
  /** Shards alive in the registry, when known; undefined: every shard counts as alive. */
  liveShards?: ReadonlySet<string> | undefined;
}

/**
 * The periodic check: members recorded on a shard that is gone from the registry, or on this
 * shard without a socket here (it restarted), go offline now; a host offline for HOST_GRACE_MS
 * hands over to the earliest-joined online member; then a gate may open.
 */
export function tend(party: PartyRecord, now: number, live: Liveness): PartyRecord {
  let next = party;
  for (const m of party.members) {
    if (m.shardId === null) continue;
    const gone =
      m.shardId === live.shardId
        ? !live.localUsers.has(m.userId)
        : live.liveShards !== undefined && !live.liveShards.has(m.shardId);
    if (gone) next = goOffline(next, m.userId, m.shardId, now);
  }
  const host = memberOf(next, next.hostId);
  const hostGone =
    !host || (host.offlineSince !== null && now - host.offlineSince >= HOST_GRACE_MS);
  if (hostGone) {
    const heir = earliest(next.members.filter(isOnline));
    if (heir && heir.userId !== next.hostId)
      next = { ...structuredClone(next), hostId: heir.userId };
  }
  return settle(next, now);
}

/** What members see: online flags instead of shard ids, and who a gate still waits for. */
export function toView(party: PartyRecord): PartyView {
  return {
    id: party.id,
    eventId: party.eventId,
    code: party.code,
    hostId: party.hostId,
    maxSize: party.maxSize,
    members: party.members.map((m) => ({
      userId: m.userId,
      name: m.name,
      joinedAt: m.joinedAt,
      readiness: m.readiness,
      online: isOnline(m),
    })),
    timeline: { ...party.timeline },
    gate:
      party.gateUntil === null
        ? null
        : {
            until: party.gateUntil,
            waitingFor: party.members
              .filter((m) => isOnline(m) && m.readiness !== 'ready')
              .map((m) => m.userId),
          },
    version: party.version,
  };
}

/** Users who joined or left between two versions of a party (the store's user index). */
/** True when the two differ at most in their timeline and version (no `party` frame needed). */
export function sameApartFromTimeline(a: PartyRecord, b: PartyRecord): boolean {
  const strip = (p: PartyRecord) =>
    JSON.stringify(toView({ ...p, version: 0, timeline: a.timeline }));
  return strip(a) === strip(b);
}
