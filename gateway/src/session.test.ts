import { describe, expect, it } from 'vitest';
import type { ChatLimits } from './chat-guard.js';
import type { EventRoom } from './event-room.js';
import {
  bucketOf,
  chatGuardOf,
  newSession,
  shareEntitlements,
  takeFrame,
  type LazyBucket,
} from './session.js';
import { newBucket, take, type BucketSpec } from './token-bucket.js';

const limits: ChatLimits = {
  fan: { ratePerSecond: 1, burst: 3 },
  staff: { ratePerSecond: 5, burst: 20 },
  duplicateWindowMs: 30_000,
};
const frames: BucketSpec = { ratePerSecond: 20, burst: 60 };
const room = {} as EventRoom; // never touched by the accessors
const entitlements = [] as const;

function session(role: 'fan' | 'moderator' = 'fan', now = 1_000, framesSpec = frames) {
  return newSession({
    sessionId: 's1',
    user: { id: 'u1', name: 'Ann', role },
    eventId: 'demo',
    entitlements,
    country: undefined,
    version: 1,
    room,
    resume: undefined,
    resumeTicket: undefined,
    tokenExp: 3_600,
    frames: framesSpec,
    now,
  });
}

const LAZY: LazyBucket[] = ['reactions', 'votes', 'partyChat', 'partyOps'];

describe('session state created on first use', () => {
  it('gives a fan who only connects no chat guard and no buckets but the frames one', () => {
    const s = session();
    expect(s.chat).toBeUndefined();
    for (const kind of LAZY) expect(s[kind]).toBeUndefined();
    // The only objects it points at: its user, and the claims and room it shares.
    const objects = Object.values(s).filter((v) => typeof v === 'object' && v !== null);
    expect(objects).toEqual([s.user, entitlements, room]);
  });

  it('creates the chat guard on the first chat, once, with fan or staff limits by role', () => {
    const fan = session('fan');
    const guard = chatGuardOf(fan, limits, 5_000);
    expect(fan.chat).toBe(guard);
    expect(chatGuardOf(fan, limits, 6_000)).toBe(guard);
    for (const text of ['a', 'b', 'c']) expect(guard.admit(text, 6_000).ok).toBe(true);
    expect(guard.admit('d', 6_000).ok).toBe(false);

    const mod = session('moderator');
    const staffGuard = chatGuardOf(mod, limits, 5_000);
    for (let i = 0; i < 20; i++) expect(staffGuard.admit(`m${i}`, 5_000).ok).toBe(true);
    expect(staffGuard.admit('m20', 5_000).ok).toBe(false);
  });

  it('creates each bucket on its first use only, leaving the others alone', () => {
    const s = session();
    const votes = bucketOf(s, 'votes', { ratePerSecond: 2, burst: 5 }, 2_000);
    expect(s.votes).toBe(votes);
    expect(bucketOf(s, 'votes', { ratePerSecond: 2, burst: 5 }, 3_000)).toBe(votes);
    expect(s.chat).toBeUndefined();
    expect([s.reactions, s.partyChat, s.partyOps]).toEqual([undefined, undefined, undefined]);
  });

  it('gives a bucket created at first use the same answers as one created at upgrade', () => {
    const spec: BucketSpec = { ratePerSecond: 2, burst: 5 };
    const upgradeAt = 1_000;
    for (const firstUseAt of [1_000, 1_400, 90_000]) {
      const eager = newBucket(spec, upgradeAt);
      const s = session('fan', upgradeAt);
      const steps = [0, 0, 0, 0, 0, 0, 100, 450, 500, 2_000, 2_001, 2_001, 2_001, 60_000];
      for (const dt of steps) {
        const now = firstUseAt + dt;
        const lazy = bucketOf(s, 'votes', spec, now);
        expect(take(lazy, spec, now)).toBe(take(eager, spec, now));
        expect(lazy).toEqual(eager);
      }
    }
  });

  it('counts frames inline exactly as a frames bucket would', () => {
    const spec: BucketSpec = { ratePerSecond: 20, burst: 3 };
    const s = session('fan', 0, spec);
    const bucket = newBucket(spec, 0);
    for (const now of [0, 0, 0, 0, 10, 49, 50, 51, 100, 1_000, 1_000, 1_000, 1_000, 990]) {
      expect(takeFrame(s, spec, now)).toBe(take(bucket, spec, now) === 0);
      expect({ tokens: s.frameTokens, updatedAt: s.frameTokensAt }).toEqual(bucket);
    }
  });
});

describe('entitlements shared between sessions', () => {
  it('gives sessions with the same entitlements one frozen array', () => {
    const a = shareEntitlements(['ticketed']);
    expect(shareEntitlements(['ticketed'])).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(shareEntitlements([])).not.toBe(a);
    expect(shareEntitlements([])).toEqual([]);
  });
});
