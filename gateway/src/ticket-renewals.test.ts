import { decodeServerMessage, type ResumeTicketGrant, type ServerMessage } from '@fanfare/protocol';
import { MemoryShardRegistry, ResumeTickets, silentLogger } from '@fanfare/fanout';
import { ManualClock, shard } from '@fanfare/fanout/testing';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventRoom } from './event-room.js';
import { FallbackPeers } from './fallback-peers.js';
import { newSession, type Session, type Socket } from './session.js';
import { RENEWAL_TICK_MS, TicketRenewals, renewalsPerTick } from './ticket-renewals.js';

const TTL_S = 10;
const START = 1_800_000_000_000;
const tickets = new ResumeTickets([{ id: 'k1', secret: randomBytes(32) }], TTL_S);
const banned = new Set<string>();
const room = {
  eventId: 'demo',
  sanctionOf: (userId: string) => (banned.has(userId) ? { kind: 'ban' } : undefined),
} as unknown as EventRoom;

interface FakeFan {
  ws: Socket;
  session: Session;
  frames: ServerMessage[];
  /** The frames as sent. */
  raw: string[];
}

/** A socket as TicketRenewals sees it, welcomed now with a ticket (a token of `tokenLeftS`). */
function fan(clock: ManualClock, id: string, tokenLeftS = 3600): FakeFan {
  const tokenExp = Math.floor(clock.now() / 1000) + tokenLeftS;
  const claims = { sub: id, evt: 'demo', role: 'fan' as const, name: id, ent: [] };
  const session = newSession({
    sessionId: `s-${id}`,
    user: { id, name: id, role: 'fan' },
    eventId: 'demo',
    entitlements: ['ticketed'],
    country: 'DE',
    version: 1,
    room,
    resume: undefined,
    resumeTicket: tickets.issue(claims, tokenExp, clock.now()),
    tokenExp,
    frames: { ratePerSecond: 20, burst: 60 },
    now: clock.now(),
  });
  const frames: ServerMessage[] = [];
  const raw: string[] = [];
  const ws = {
    getUserData: () => ({ session }),
    cork: (f: () => void) => f(),
    send: (frame: string) => frames.push(decodeServerMessage(frame)!) && raw.push(frame),
  } as unknown as Socket;
  return { ws, session, frames, raw };
}

const grants = (f: FakeFan) => f.frames.filter((m) => m.type === 'ticket') as ResumeTicketGrant[];

function setup(perTick: number, peers?: (clock: ManualClock) => FallbackPeers) {
  const clock = new ManualClock(START);
  const counted = { total: 0, inc: (n: number) => void (counted.total += n) };
  const renewals = new TicketRenewals({
    tickets,
    ttlS: TTL_S,
    perTick,
    clock,
    renewed: counted,
    peers: peers?.(clock),
  });
  return { clock, renewals, counted };
}

/** Peers of shard `a` read from a registry listing a, b (full), c (draining) and d. */
function peersOfA(clock: ManualClock): FallbackPeers {
  const registry = new MemoryShardRegistry(clock);
  const ttl = 3600_000;
  void registry.heartbeat(shard('a'), ttl);
  void registry.heartbeat(shard('b', { fans: 100 }), ttl);
  void registry.heartbeat(shard('c', { draining: true }), ttl);
  void registry.heartbeat(shard('d', { fans: 10 }), ttl);
  return new FallbackPeers({ registry, shardId: 'a', clock, logger: silentLogger });
}

describe('ticket renewals', () => {
  it('sends a fan a new ticket when its ticket is half its lifetime old, and again after', () => {
    const { clock, renewals } = setup(10);
    renewals.start();
    const ann = fan(clock, 'ann');
    renewals.add(ann.ws, ann.session);
    clock.advance((TTL_S / 2) * 1000 - RENEWAL_TICK_MS);
    expect(grants(ann)).toEqual([]);
    clock.advance(RENEWAL_TICK_MS);
    expect(grants(ann).map((g) => g.expiresAt)).toEqual([START + (TTL_S / 2 + TTL_S) * 1000]);
    // the same claims, a new lifetime
    const claims = tickets.check(grants(ann)[0]!.ticket, clock.now());
    expect(claims).toMatchObject({ sub: 'ann', evt: 'demo', ent: ['ticketed'], cty: 'DE' });
    clock.advance((TTL_S / 2) * 1000);
    expect(grants(ann)).toHaveLength(2);
    renewals.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('renews at most perTick fans per tick, in the order they joined', () => {
    const { clock, renewals, counted } = setup(3);
    const fans = Array.from({ length: 8 }, (_, i) => fan(clock, `f${i}`));
    for (const f of fans) renewals.add(f.ws, f.session);
    clock.advance((TTL_S / 2) * 1000);
    const renewed = () => fans.map((f) => grants(f).length);
    expect(renewals.tick()).toBe(3);
    expect(renewed()).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(renewals.tick()).toBe(3);
    expect(renewals.tick()).toBe(2);
    expect(renewals.tick()).toBe(0); // the next round is half a lifetime away
    expect(renewed()).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(renewals.size).toBe(8);
    expect(counted.total).toBe(8);
  });

  it('bounds a full shard of the defaults to 64 frames per tick, done within a quarter lifetime', () => {
    expect(renewalsPerTick(19_000, 300)).toBe(64);
    // 19,000 fans at 64 per 250 ms tick: 74.25 s, under a quarter of 300 s
    expect((19_000 / 64) * RENEWAL_TICK_MS).toBeLessThanOrEqual((300 * 1000) / 4);
    expect(renewalsPerTick(19_000, 10)).toBe(1900);
    expect(renewalsPerTick(1, 3600)).toBe(1);
  });

  it('skips a socket removed on close, and a banned fan, and forgets both', () => {
    const { clock, renewals, counted } = setup(10);
    const [gone, troll, ann] = [fan(clock, 'gone'), fan(clock, 'troll'), fan(clock, 'ann')];
    for (const f of [gone, troll, ann]) renewals.add(f.ws, f.session);
    renewals.remove(gone.ws);
    banned.add('troll');
    clock.advance((TTL_S / 2) * 1000);
    expect(renewals.tick()).toBe(1);
    expect([grants(gone), grants(troll)]).toEqual([[], []]);
    expect(grants(ann)).toHaveLength(1);
    expect(renewals.size).toBe(1);
    expect(counted.total).toBe(1);
    banned.clear();
  });

  it('ends the chain at the token’s expiry: the capped ticket is the last', () => {
    const { clock, renewals } = setup(10);
    const short = fan(clock, 'short', TTL_S + 3); // the welcome's ticket is not capped yet
    renewals.add(short.ws, short.session);
    const capped = fan(clock, 'capped', TTL_S); // the welcome's already reaches the token's end
    renewals.add(capped.ws, capped.session);
    expect(renewals.size).toBe(1);
    clock.advance((TTL_S / 2) * 1000);
    expect(renewals.tick()).toBe(1);
    expect(grants(short)[0]!.expiresAt).toBe(short.session.tokenExp * 1000);
    expect(renewals.size).toBe(0);
  });

  it('names a live peer as the fallback in every renewal, after the ticket', async () => {
    const { clock, renewals } = setup(10, peersOfA);
    renewals.start(); // reads the peers
    await new Promise<void>((resolve) => setImmediate(resolve)); // the memory registry answers
    const ann = fan(clock, 'ann');
    renewals.add(ann.ws, ann.session);
    clock.advance((TTL_S / 2) * 1000);
    clock.advance((TTL_S / 2) * 1000);
    expect(grants(ann).map((g) => g.fallbackUrl)).toEqual(['ws://127.0.0.1/d', 'ws://127.0.0.1/d']);
    expect(ann.raw[0]).toMatch(
      /^\{"type":"ticket","ticket":"rt1\.[^"]+","expiresAt":\d+,"fallbackUrl":/,
    );
    const grant = renewals.grant(
      { sub: 'bo', evt: 'demo', role: 'fan', name: 'Bo', ent: [] },
      2e9,
      clock.now(),
    );
    expect(Object.keys(grant!)).toEqual(['ticket', 'expiresAt', 'fallbackUrl']);
    renewals.close(); // and names none from then on
    expect(
      renewals.grant(
        { sub: 'bo', evt: 'demo', role: 'fan', name: 'Bo', ent: [] },
        2e9,
        clock.now(),
      ),
    ).not.toHaveProperty('fallbackUrl');
  });

  it('names no fallback without peers', () => {
    const { clock, renewals } = setup(10);
    const ann = fan(clock, 'ann');
    renewals.add(ann.ws, ann.session);
    clock.advance((TTL_S / 2) * 1000);
    expect(renewals.tick()).toBe(1);
    expect(grants(ann)[0]).not.toHaveProperty('fallbackUrl');
  });
});
