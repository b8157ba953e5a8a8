// Fallback peers in grants (fallback-peers.ts): two shards sharing one registry name each other
// in the welcome's resume ticket and in every `ticket` frame; a fan of a shard that died resumes
// on the named peer with its ticket and misses nothing; a draining or full peer, or none at all,
// is not named. Time is a ManualClock shared by the shards and the registry.

import { MemoryShardRegistry, type ShardState } from '@fanfare/fanout';
import { ManualClock } from '@fanfare/fanout/testing';
import type { ResumeTicketGrant } from '@fanfare/protocol';
import { connectFan } from '@fanfare/testkit';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PEERS_REFRESH_MS } from '../src/fallback-peers.js';
import type { GatewayConfig } from '../src/index.js';
import { startGateway, type SharedSeams, type TestGateway } from './harness.js';

const TTL_S = 10; // RESUME_TICKET_TTL_S's lowest value: a renewal within 5 s of the clock
/** Registry entries outlive every advance below (the shards here do not heartbeat by themselves). */
const ENTRY_TTL_MS = 3_600_000;
const fast = {
  fan: { ratePerSecond: 1000, burst: 1000 },
  staff: { ratePerSecond: 1000, burst: 1000 },
};

/** Lets a registry read the clock started finish: the memory registry answers in microtasks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('fallback peers named in resume ticket grants', () => {
  const started: TestGateway[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((g) => g.close()));
  });

  async function cluster(b: Partial<GatewayConfig> = {}) {
    const clock = new ManualClock(Math.ceil(Date.now() / 1000) * 1000);
    const registry = new MemoryShardRegistry(clock);
    const keys = [{ id: 'k1', secret: randomBytes(32) }];
    const start = async (over: Partial<GatewayConfig>, shared: SharedSeams) => {
      const config = {
        resumeTickets: { keys, ttlS: TTL_S },
        chat: { ...fast, duplicateWindowMs: 0 },
        chatBatchMs: 0, // chat goes out at once, with no timer on the manual clock
      };
      const g = await startGateway({ ...config, ...over }, clock, {}, { registry, ...shared });
      started.push(g);
      return g;
    };
    const a = await start({ shardId: 'a' }, {});
    const sb = await start({ shardId: 'b', ...b }, { bus: a.bus, log: a.log });
    /** What each shard's heartbeat would send now (`edit` changes b's entry), then one read. */
    const beat = async (edit: (s: ShardState) => ShardState = (s) => s) => {
      await registry.heartbeat(a.gateway.shardState(a.url), ENTRY_TTL_MS);
      await registry.heartbeat(edit(sb.gateway.shardState(sb.url)), ENTRY_TTL_MS);
      clock.advance(PEERS_REFRESH_MS);
      await settle();
    };
    return { clock, a, b: sb, beat };
  }

  it('names the other shard in the welcome and in ticket frames; the fan resumes there after a kill', async () => {
    const { clock, a, b, beat } = await cluster();
    const alone = await a.join({ sub: 'early' }); // before any read: a names nobody
    expect(alone.welcome.resumeTicket).toBeDefined();
    expect(alone.welcome.resumeTicket).not.toHaveProperty('fallbackUrl');

    await beat();
    const { fan, welcome } = await a.join({ sub: 'ann', name: 'Ann' });
    const grant = welcome.resumeTicket!;
    expect(grant.fallbackUrl).toBe(b.url);
    // the ticket first: load generators find it by `"resumeTicket":{"ticket":"`
    expect(Object.keys(grant)).toEqual(['ticket', 'expiresAt', 'fallbackUrl']);
    expect((await b.join({ sub: 'bo' })).welcome.resumeTicket!.fallbackUrl).toBe(a.url);

    clock.advance((TTL_S / 2) * 1000);
    const renewed: ResumeTicketGrant = await fan.next('ticket');
    expect(renewed.fallbackUrl).toBe(b.url);

    const talker = (await a.join({ sub: 'talker' })).fan;
    for (let i = 1; i <= 3; i++) talker.send({ type: 'chat.send', text: `m${i}`, ref: `r${i}` });
    await fan.until('m3 reaches ann', () => fan.chatTexts().includes('m3'));
    const seqs = fan.frames.flatMap((f) => (f.type === 'chat' ? f.messages.map((m) => m.seq) : []));
    const seen = Math.max(...seqs);

    await a.gateway.close(); // the kill: ann's shard is gone
    await fan.closed;
    const other = (await b.join({ sub: 'other' })).fan;
    for (let i = 4; i <= 6; i++) other.send({ type: 'chat.send', text: `m${i}`, ref: `r${i}` });
    await other.until('m6 stored', () => other.chatTexts().includes('m6'));

    const back = await connectFan(
      `${renewed.fallbackUrl}?ticket=${renewed.ticket}&${await a.since(seen)}`,
    );
    const resumed = await back.next('welcome');
    expect(resumed.user).toEqual({ id: 'ann', name: 'Ann', role: 'fan' });
    expect(resumed.snapshot.continuity).toBe('resumed');
    expect(resumed.snapshot.chat.map((m) => m.text)).toEqual(['m4', 'm5', 'm6']);
    other.send({ type: 'chat.send', text: 'm7', ref: 'r7' });
    expect((await back.next('chat')).messages.map((m) => m.text)).toEqual(['m7']);
    back.socket.terminate();
  });

  it('does not name a draining peer', async () => {
    const { a, beat } = await cluster();
    await beat((s) => ({ ...s, draining: true }));
    const { welcome } = await a.join();
    expect(welcome.resumeTicket).toBeDefined();
    expect(welcome.resumeTicket).not.toHaveProperty('fallbackUrl');
  });

  it('does not name a full peer, and names it again once it has room', async () => {
    const { a, b, beat } = await cluster({ capacity: 1 });
    const { fan } = await b.join();
    await beat();
    expect((await a.join()).welcome.resumeTicket).not.toHaveProperty('fallbackUrl');
    fan.close(); // a clean close: b has counted it gone when the client sees b's close frame
    await fan.closed;
    await beat();
    expect((await a.join()).welcome.resumeTicket!.fallbackUrl).toBe(b.url);
  });
});
