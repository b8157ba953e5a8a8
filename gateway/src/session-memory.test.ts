// What a watching fan's JavaScript state costs on a shard, measured on V8's heap (issue 17 point
// 2; docs/benchmarks.md "Memory per connection" lists it field by field). Builds sessions the
// way the upgrade does, from token claims parsed out of JSON, and holds each part to a bound
// with ~25 % margin over what it measures on Node 20 (64-bit, no pointer compression): a new
// field on every session, or a per-fan object where a shared one did, fails here.

import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { EventRoom } from './event-room.js';
import { IdSource } from './ids.js';
import { newSession, type Session } from './session.js';
import type { BucketSpec } from './token-bucket.js';
import { UserSockets } from './user-sockets.js';

const FANS = 19_000;
const frames: BucketSpec = { ratePerSecond: 20, burst: 60 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after full collections, bytes. */
function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes per fan that `build` leaves reachable (it must return what it built). */
function perFan<T>(build: () => T): { bytes: number; kept: T } {
  const before = heapUsed();
  const kept = build();
  return { bytes: (heapUsed() - before) / FANS, kept };
}

describe('a watching fan on the heap', () => {
  it('costs about 0.5 KiB of JavaScript: session, user, ids and index entries', () => {
    // Claims as the verifier hands them over: strings fresh from JSON.parse, as in a token.
    const claims = Array.from(
      { length: FANS },
      (_, i) =>
        JSON.parse(
          JSON.stringify({
            sub: `anon-${randomUUID()}`,
            name: `fan-${i.toString(16)}`,
            role: 'fan',
          }),
        ) as { sub: string; name: string; role: 'fan' },
    );
    const ids = new IdSource();
    const room = { eventId: 'demo' } as EventRoom;
    const now = Date.now();
    const users = perFan(() => claims.map((c) => ({ id: c.sub, name: c.name, role: c.role })));
    const sessionIds = perFan(() => claims.map(() => ids.next()));
    const sessions = perFan(() =>
      users.kept.map((user, i): Session =>
        newSession({
          sessionId: sessionIds.kept[i]!,
          user,
          eventId: room.eventId,
          entitlements: [],
          version: 1,
          room,
          resume: undefined,
          resumeTicket: undefined,
          tokenExp: Math.floor(now / 1000) + 3600,
          country: undefined,
          frames,
          now,
        }),
      ),
    );
    const roomSet = perFan(() => new Set<Session>(sessions.kept));
    // TicketRenewals' entry: the socket and the second its ticket falls due (a small integer).
    const dueSecond = Math.floor(now / 1000) + 150;
    const renewals = perFan(
      () => new Map<Session, number>(sessions.kept.map((s) => [s, dueSecond])),
    );
    const userMap = perFan(() => {
      const map = new UserSockets<Session>(3);
      for (const s of sessions.kept) map.add(s.user.id, s);
      return map;
    });
    const measured = {
      session: sessions.bytes,
      user: users.bytes,
      sessionId: sessionIds.bytes,
      roomSet: roomSet.bytes,
      renewals: renewals.bytes,
      userMap: userMap.bytes,
    };
    // Measured (Node 20.20, 19,000 fans): session 201 (217 with `tokenExp`, 209 without it
    // that day: +8), user object 59 (its id and name are the token's strings, ~100 more),
    // sessionId 40, room Set entry 35, ticket renewal entry 48, user map entry 58. The three
    // hash tables grow by doubling, so their share per fan moves with the count: a loose bound.
    expect(measured.session).toBeLessThan(280);
    expect(measured.user).toBeLessThan(96);
    expect(measured.sessionId).toBeLessThan(64);
    expect(measured.roomSet).toBeLessThan(96);
    expect(measured.renewals).toBeLessThan(96);
    expect(measured.userMap).toBeLessThan(96);
    expect(userMap.kept.count(claims[0]!.sub)).toBe(1);
    expect(roomSet.kept.size).toBe(FANS);
    expect(renewals.kept.size).toBe(FANS);
  });
});
