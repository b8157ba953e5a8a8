import {
  HOST_GRACE_MS,
  INVITE_CODE_ALPHABET,
  INVITE_CODE_LENGTH,
  READY_WAIT_MS,
  START_LEAD_MARGIN_MS,
  START_LEAD_MS,
} from '@fanfare/protocol';
import type { PartyRecord } from '@fanfare/fanout';
import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  createParty,
  goOffline,
  goOnline,
  inviteCode,
  joinParty,
  leaveParty,
  setHost,
  setReadiness,
  settle,
  tend,
  toView,
  type Outcome,
} from './party-rules.js';

const T0 = 1_700_000_000_000;

function accepted<T>(out: Outcome<T>): T {
  if (!out.ok) throw new Error(`refused: ${out.code}`);
  return out.party;
}

/** A party hosted by `ann` with `bob` and `cy` (joined in that order, all on shard a). */
function trio(maxSize?: number): PartyRecord {
  let p = createParty({
    id: 'p1',
    eventId: 'ev',
    code: 'ABCDEFGH',
    host: { userId: 'ann', name: 'Ann' },
    shardId: 'a',
    media: 'film',
    maxSize,
    now: T0,
  });
  p = accepted(joinParty(p, { userId: 'bob', name: 'Bob' }, 'a', T0 + 1));
  return accepted(joinParty(p, { userId: 'cy', name: 'Cy' }, 'a', T0 + 2));
}

function allReady(p: PartyRecord, now = T0): PartyRecord {
  for (const m of p.members) p = setReadiness(p, m.userId, 'ready', now);
  return p;
}

describe('creating and joining', () => {
  it('makes invite codes from the alphabet, of the set length', () => {
    let i = 0;
    const code = inviteCode(() => i++ % INVITE_CODE_ALPHABET.length);
    expect(code).toHaveLength(INVITE_CODE_LENGTH);
    expect(code).toBe(INVITE_CODE_ALPHABET.slice(0, INVITE_CODE_LENGTH));
  });

  it('starts with the creator hosting and the timeline paused at 0, version 1', () => {
    const p = trio();
    expect(p.hostId).toBe('ann');
    expect(p.maxSize).toBe(50);
    expect(p.timeline).toEqual({
      media: 'film',
      position: 0,
      rate: 1,
      paused: true,
      at: T0,
      version: 1,
    });
  });

  it('refuses a member past the size limit, counting offline members', () => {
    let p = goOffline(trio(3), 'cy', 'a', T0 + 5);
    const out = joinParty(p, { userId: 'dee', name: 'Dee' }, 'a', T0 + 6);
    expect(out).toMatchObject({ ok: false, code: 'party_full' });
    p = accepted(joinParty(p, { userId: 'cy', name: 'Cy' }, 'b', T0 + 7));
    const cy = p.members.find((m) => m.userId === 'cy')!;
    expect(cy).toMatchObject({ joinedAt: T0 + 2, shardId: 'b', offlineSince: null });
    expect(p.members.map((m) => m.userId)).toEqual(['ann', 'bob', 'cy']);
  });
});

describe('host hand-over', () => {
  it('passes to the earliest-joined online member when the host leaves', () => {
    const p = goOffline(trio(), 'bob', 'a', T0 + 5);
    const after = accepted(leaveParty(p, 'ann', T0 + 6))!;
    expect(after.hostId).toBe('cy');
    expect(after.members.map((m) => m.userId)).toEqual(['bob', 'cy']);
  });

  it('passes to the earliest-joined when nobody is online, and removes the party with its last member', () => {
    let p = goOffline(goOffline(trio(), 'bob', 'a', T0), 'cy', 'a', T0);
    p = accepted(leaveParty(p, 'ann', T0))!;
    expect(p.hostId).toBe('bob');
    p = accepted(leaveParty(p, 'bob', T0))!;
    expect(accepted(leaveParty(p, 'cy', T0))).toBeNull();
  });

  it('lets only the host hand over, and only to an online member', () => {
    const p = goOffline(trio(), 'cy', 'a', T0);
    expect(setHost(p, 'bob', 'cy')).toMatchObject({ ok: false, code: 'not_host' });
    expect(setHost(p, 'ann', 'cy')).toMatchObject({ ok: false, code: 'not_in_party' });
    expect(accepted(setHost(p, 'ann', 'bob')).hostId).toBe('bob');
  });

  it('passes an offline host on only after HOST_GRACE_MS', () => {
    const p = goOffline(trio(), 'ann', 'a', T0);
    const live = { shardId: 'a', localUsers: new Set(['bob', 'cy']) };
    expect(tend(p, T0 + HOST_GRACE_MS - 1, live)).toBe(p);
    expect(tend(p, T0 + HOST_GRACE_MS, live).hostId).toBe('bob');
    // back in time: nothing to do
    expect(tend(goOnline(p, 'ann', 'b'), T0 + HOST_GRACE_MS, live).hostId).toBe('ann');
  });

  it('takes members on a shard gone from the registry offline, then passes the host on', () => {
    let p = goOnline(trio(), 'ann', 'dead');
    const live = { shardId: 'a', localUsers: new Set(['bob', 'cy']), liveShards: new Set(['a']) };
    p = tend(p, T0, live);
    expect(p.members[0]).toMatchObject({ shardId: null, offlineSince: T0 });
    expect(p.hostId).toBe('ann');
    expect(tend(p, T0 + HOST_GRACE_MS, live).hostId).toBe('bob');
  });

  it('takes members recorded on this shard without a socket here offline', () => {
    const p = tend(trio(), T0, { shardId: 'a', localUsers: new Set(['ann', 'bob']) });
    expect(toView(p).members.map((m) => m.online)).toEqual([true, true, false]);
  });
});

describe('commands', () => {
  it('refuses non-hosts and stale versions', () => {
    const p = trio();
    expect(applyCommand(p, 'bob', { op: 'pause' }, 1, T0)).toMatchObject({ code: 'not_host' });
    expect(applyCommand(p, 'ann', { op: 'play' }, 0, T0)).toMatchObject({
      code: 'timeline_conflict',
    });
  });

  it('plays at once, a lead in the future, when every online member is ready', () => {
    const p = accepted(applyCommand(allReady(trio()), 'ann', { op: 'play' }, 1, T0 + 10));
    expect(p.timeline).toMatchObject({ paused: false, position: 0, at: T0 + 10 + START_LEAD_MS });
    expect(p.timeline.version).toBe(2);
    expect(p.gateUntil).toBeNull();
  });

  it('waits behind a gate for a buffering member, and opens when it is ready', () => {
    let p = setReadiness(setReadiness(trio(), 'ann', 'ready', T0), 'bob', 'ready', T0);
    p = accepted(applyCommand(p, 'ann', { op: 'play' }, 1, T0 + 10));
    expect(p.timeline).toMatchObject({ paused: true, version: 1 });
    expect(toView(p).gate).toEqual({ until: T0 + 10 + READY_WAIT_MS, waitingFor: ['cy'] });
    p = setReadiness(p, 'cy', 'ready', T0 + 500);
    expect(p.gateUntil).toBeNull();
    expect(p.timeline).toMatchObject({ paused: false, at: T0 + 500 + START_LEAD_MS, version: 2 });
  });

  it('opens a gate without the laggards when its time is up', () => {
    const p = accepted(applyCommand(trio(), 'ann', { op: 'play' }, 1, T0));
    expect(settle(p, T0 + READY_WAIT_MS - 1)).toBe(p);
    expect(settle(p, T0 + READY_WAIT_MS).timeline.paused).toBe(false);
  });

  it('ignores offline members in a gate', () => {
    let p = accepted(applyCommand(allReady(trio()), 'ann', { op: 'seek', position: 0 }, 1, T0));
    p = accepted(applyCommand(setReadiness(p, 'ann', 'ready', T0), 'ann', { op: 'play' }, 2, T0));
    p = setReadiness(p, 'bob', 'ready', T0);
    expect(p.gateUntil).not.toBeNull();
    p = goOffline(p, 'cy', 'a', T0 + 1);
    expect(p.timeline.paused).toBe(false);
  });

  it('pauses where it is, and a seek while playing pauses behind a gate with everyone buffering', () => {
    let p = accepted(applyCommand(allReady(trio()), 'ann', { op: 'play' }, 1, T0));
    const started = p.timeline.at;
    p = accepted(applyCommand(p, 'ann', { op: 'pause' }, 2, started + 10_000));
    expect(p.timeline).toMatchObject({ paused: true, position: 10, version: 3 });
    p = accepted(applyCommand(allReady(p), 'ann', { op: 'play' }, 3, started + 20_000));
    p = accepted(applyCommand(p, 'ann', { op: 'seek', position: 42 }, 4, started + 30_000));
    expect(p.timeline).toMatchObject({ paused: true, position: 42, version: 5 });
    expect(p.gateUntil).toBe(started + 30_000 + READY_WAIT_MS);
    expect(p.members.every((m) => m.readiness === 'buffering')).toBe(true);
  });

  it('rebases a rate change START_LEAD_MS ahead and starts new media paused at 0', () => {
    let p = accepted(applyCommand(allReady(trio()), 'ann', { op: 'play' }, 1, T0));
    const at = p.timeline.at;
    // Ahead, like a start: every member hears of it before it takes effect.
    p = accepted(applyCommand(p, 'ann', { op: 'rate', rate: 2 }, 2, at + 4000));
    const rebased = at + 4000 + START_LEAD_MS;
    expect(p.timeline).toMatchObject({ position: 4.3, rate: 2, at: rebased, paused: false });
    p = accepted(applyCommand(p, 'ann', { op: 'media', media: 'next' }, 3, at + 5000));
    expect(p.timeline).toMatchObject({ media: 'next', position: 0, paused: true, version: 4 });
  });

  it('schedules starts, gate openings and rate changes for the slowest online member', () => {
    // Bob's round trips reach 700 ms: a start 300 ms ahead would reach him after it began.
    let p = setReadiness(allReady(trio()), 'bob', 'ready', T0, 700);
    expect(p.members.find((m) => m.userId === 'bob')?.pathMs).toBe(700);
    const lead = 700 + START_LEAD_MARGIN_MS;
    p = accepted(applyCommand(p, 'ann', { op: 'play' }, 1, T0 + 10));
    expect(p.timeline.at).toBe(T0 + 10 + lead);
    p = accepted(applyCommand(p, 'ann', { op: 'rate', rate: 2 }, 2, T0 + 5_000));
    expect(p.timeline.at).toBe(T0 + 5_000 + lead);
    p = accepted(applyCommand(p, 'ann', { op: 'seek', position: 9 }, 3, T0 + 6_000));
    p = allReady(p, T0 + 6_500);
    expect(p.timeline).toMatchObject({ paused: false, at: T0 + 6_500 + lead });
    // Once Bob is offline, the party no longer waits for his path.
    p = goOffline(p, 'bob', 'a', T0 + 7_000);
    p = accepted(applyCommand(p, 'ann', { op: 'rate', rate: 1 }, p.timeline.version, T0 + 8_000));
    expect(p.timeline.at).toBe(T0 + 8_000 + START_LEAD_MS);
  });

  it('writes a new path even when the readiness is the same, and nothing when neither changed', () => {
    const p = setReadiness(allReady(trio()), 'cy', 'ready', T0, 120);
    expect(setReadiness(p, 'cy', 'ready', T0, 120)).toBe(p);
    expect(setReadiness(p, 'cy', 'ready', T0)).toBe(p);
    expect(setReadiness(p, 'cy', 'ready', T0, 180).members[2]!.pathMs).toBe(180);
  });

  it('leaves the record untouched when a command changes nothing', () => {
    const p = accepted(applyCommand(allReady(trio()), 'ann', { op: 'play' }, 1, T0));
    expect(accepted(applyCommand(p, 'ann', { op: 'play' }, 2, T0 + 1))).toBe(p);
  });
});
