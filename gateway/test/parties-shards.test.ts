// Watch parties across two shards in one process, sharing a bus, a party store and a shard
// registry as real shards share NATS and Redis: members on different shards see each other's
// commands and chat, and the party outlives the shard of its host.

import { MemoryBus, MemoryPartyStore, MemoryShardRegistry } from '@fanfare/fanout';
import { ManualClock, shard } from '@fanfare/fanout/testing';
import { HOST_GRACE_MS } from '@fanfare/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';
import {
  barrier,
  createParty,
  joinParty,
  online,
  partyWhere,
  timelineWhere,
} from './party-helpers.js';

describe('watch parties across shards', () => {
  let shards: TestGateway[] = [];
  let clock: ManualClock;
  let registry: MemoryShardRegistry;

  afterEach(async () => {
    for (const g of shards) await g.close();
    shards = [];
  });

  async function start(): Promise<[TestGateway, TestGateway]> {
    clock = new ManualClock(Date.now());
    registry = new MemoryShardRegistry(clock);
    const shared = { bus: new MemoryBus(), parties: new MemoryPartyStore(), registry };
    for (const shardId of ['a', 'b']) {
      shards.push(await startGateway({ shardId }, clock, {}, shared));
      await registry.heartbeat(shard(shardId), 6_000);
    }
    return [shards[0]!, shards[1]!];
  }

  /** Moves time on a second at a time, letting each shard's upkeep round finish, as in real time. */
  async function pass(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 1000) {
      clock.advance(1000);
      for (const g of shards) await g.gateway.tickParties();
    }
  }

  /** Ann hosts on shard a, Bob joined from shard b, the timeline seeked to 42 s. */
  async function spread(a: TestGateway, b: TestGateway) {
    const { fan: ann } = await a.join({ sub: 'ann', name: 'Ann' });
    const { fan: bob } = await b.join({ sub: 'bob', name: 'Bob' });
    const { code } = await createParty(ann);
    expect((await joinParty(bob, code)).type).toBe('party');
    await partyWhere(ann, (p) => p.members.length === 2);
    ann.send({ type: 'party.command', command: { op: 'seek', position: 42 }, version: 1 });
    await timelineWhere(bob, (t) => t.position === 42);
    return { ann, bob };
  }

  it("shows members on other shards each other's commands and chat", async () => {
    const [a, b] = await start();
    const { ann, bob } = await spread(a, b);
    ann.send({ type: 'party.command', command: { op: 'rate', rate: 2 }, version: 2 });
    expect(await timelineWhere(bob, (t) => t.version === 3)).toMatchObject({ rate: 2 });
    bob.send({ type: 'party.chat', text: 'from b' });
    ann.send({ type: 'party.chat', text: 'from a' });
    const texts = async (fan: typeof ann) => {
      await fan.until(
        'two chat messages',
        (fs) => fs.filter((f) => f.type === 'party.chat').length === 2,
      );
      return fan.frames.flatMap((f) => (f.type === 'party.chat' ? [f.message.text] : [])).sort();
    };
    expect(await texts(ann)).toEqual(['from a', 'from b']);
    expect(await texts(bob)).toEqual(['from a', 'from b']);
    expect(a.gateway.metrics).not.toBe(b.gateway.metrics);
  });

  it("keeps the party when the host's shard closes, and passes the host to a member elsewhere", async () => {
    const [a, b] = await start();
    const { bob } = await spread(a, b);
    await a.close();
    const offline = await partyWhere(bob, (p) => online(p, 'ann') === false);
    expect(offline.hostId).toBe('ann');
    clock.advance(HOST_GRACE_MS);
    const handed = await partyWhere(bob, (p) => p.hostId === 'bob');
    expect(handed.timeline).toMatchObject({ position: 42, version: 2 });
    expect(handed.members.map((m) => m.userId)).toEqual(['ann', 'bob']);
  });

  it('takes members of a shard that left the registry offline and passes the host on', async () => {
    const [a, b] = await start();
    const { bob } = await spread(a, b);
    // Shard a stops heartbeating (a crash as the registry sees it); b keeps beating.
    await registry.heartbeat(shard('b'), 60_000);
    await pass(6_000);
    const offline = await partyWhere(bob, (p) => online(p, 'ann') === false);
    expect(offline.hostId).toBe('ann');
    await pass(HOST_GRACE_MS - 1000);
    await barrier(bob);
    expect(bob.frames.some((f) => f.type === 'party' && f.party.hostId === 'bob')).toBe(false);
    await pass(1000);
    expect((await partyWhere(bob, (p) => p.hostId === 'bob')).timeline.position).toBe(42);
  });
});
