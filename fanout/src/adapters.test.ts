import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from '@fanfare/testkit';
import { describe, expect, it } from 'vitest';
import { openAdapters, type Adapters } from './adapters.js';
import { MemoryBus } from './bus-memory.js';
import { MemoryEventLog } from './event-log-memory.js';
import type { Logger } from './logger.js';
import { ManualClock } from './manual-clock.js';
import { MemoryPartyStore } from './party-store-memory.js';
import { MemorySanctionStore } from './sanction-store-memory.js';
import { shard } from './shard-registry.contract.js';
import { MemoryShardRegistry } from './shard-registry-memory.js';
import { MemoryStageStore } from './stage-store-memory.js';
import { MemoryVoteStore } from './vote-store-memory.js';
import { natsTestPrefix, natsUrl, requireNats } from './testing-nats.js';
import { connectTestRedis, deletePrefix, redisUrl } from './testing-redis.js';

/** A logger that keeps every line, to see what was said and in which order. */
function recorder() {
  const lines: Array<{ level: string; msg: string; part?: unknown }> = [];
  const keep =
      (level: string) =>
      (msg: string, fields?: Record<string, unknown>): void =>
        void lines.push({ level, msg, part: fields?.part }),
    logger: Logger = { info: keep('info'), warn: keep('warn'), error: keep('error') };
  return { lines, logger };
}

const closedParts = (lines: ReturnType<typeof recorder>['lines']) =>
  lines.filter((l) => l.msg === 'adapter closed').map((l) => l.part);

const encode = (text: string) => new TextEncoder().encode(text);

/** Memory mode, or Redis alone at `redisUrl`. */
const local = (logger: Logger, options: { clock?: ManualClock; redisUrl?: string } = {}) =>
  openAdapters({
    natsServers: [],
    redisUrl: undefined,
    prefix: 'm',
    name: 'm',
    logger,
    ...options,
  });

describe('openAdapters in memory', () => {
  it('builds every seam in memory, on the given clock', async () => {
    const clock = new ManualClock(1_000);
    const { logger } = recorder();
    const a = await local(logger, { clock });
    expect(a.bus).toBeInstanceOf(MemoryBus);
    expect(a.log).toBeInstanceOf(MemoryEventLog);
    expect(a.registry).toBeInstanceOf(MemoryShardRegistry);
    expect(a.sanctions).toBeInstanceOf(MemorySanctionStore);
    expect(a.votes).toBeInstanceOf(MemoryVoteStore);
    expect(a.stages).toBeInstanceOf(MemoryStageStore);
    expect(a.parties).toBeInstanceOf(MemoryPartyStore);
    expect([a.link, a.redis]).toEqual([undefined, undefined]);
    expect(a.subjects.stage('e1')).toMatch(/^m\./);
    // The registry ages entries on the injected clock.
    await a.registry.heartbeat(shard('g1'), 6_000);
    clock.advance(6_000);
    expect(await a.registry.live()).toEqual([]);
    await a.close();
  });

  it('closes the log before the bus, once however often close is called', async () => {
    const { lines, logger } = recorder();
    const a = await local(logger);
    const first = a.close();
    expect(a.close()).toBe(first);
    await first;
    await a.close();
    expect(closedParts(lines)).toEqual(['event log', 'bus', 'nats', 'registry', 'redis']);
    await expect(a.log.append('e1', encode('late'), 'x')).rejects.toThrow();
  });
});

const natsUp = await requireNats();
const redisProbe = await connectTestRedis();

describe.skipIf(!natsUp || !redisProbe)('openAdapters on NATS and Redis', () => {
  async function open(prefix: string, name: string, logger: Logger): Promise<Adapters> {
    return openAdapters({ natsServers: [natsUrl()], redisUrl: redisUrl(), prefix, name, logger });
  }

  it('shares the bus, the log and the stores between two processes, and closes in order', async () => {
    const prefix = natsTestPrefix();
    const one = recorder();
    const a = await open(prefix, 'a', one.logger);
    const b = await open(prefix, 'b', recorder().logger);
    try {
      // Bus: core NATS from a to b.
      const heard = new Promise<string>((resolve) => {
        b.bus.subscribe(b.subjects.stage('e1'), (data) => resolve(new TextDecoder().decode(data)));
      });
      await b.link!.nc.flush(); // the subscription has reached the server
      a.bus.publish(a.subjects.stage('e1'), encode('hello'));
      expect(await heard).toBe('hello');
      // Log: one JetStream stream, one order.
      const first = await a.log.append('e1', encode('one'), 'm1');
      expect((await b.log.readLast('e1', 10)).entries.map((e) => e.seq)).toEqual([first.seq]);
      // Stores: Redis, under the prefix.
      await a.registry.heartbeat(shard('g1'), 6_000);
      expect((await b.registry.live()).map((s) => s.id)).toEqual(['g1']);
      await a.sanctions.impose('e1', { userId: 'u1', kind: 'ban', until: null, by: 'mod', at: 0 });
      expect(await b.sanctions.version('e1')).toBeGreaterThan(0);
    } finally {
      const jsm = await jetstreamManager(b.link!.nc);
      for await (const name of jsm.streams.names())
        if (name.startsWith(prefix)) await jsm.streams.delete(name);
      await deletePrefix(b.redis!, prefix);
      await b.close();
    }
    const closing = a.close();
    expect(a.close()).toBe(closing);
    await closing;
    expect(closedParts(one.lines)).toEqual(['event log', 'bus', 'nats', 'registry', 'redis']);
    expect(a.link!.state).toBe('closed');
    expect(a.redis!.status).toBe('end');
    expect(one.lines.filter((l) => l.level !== 'info')).toEqual([]);
  });
});

describe('openAdapters with Redis unreachable', () => {
  it('logs a Redis outage once, however many reconnects fail', async () => {
    const { lines, logger } = recorder();
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const a = await local(logger, { redisUrl: nowhere });
    let errors = 0;
    await new Promise<void>((resolve) => {
      a.redis!.on('error', () => ++errors === 3 && resolve());
    });
    await a.close();
    expect(lines.filter((l) => l.msg.startsWith('redis unreachable'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'adapter failed to close')).toEqual([]);
  });
});

redisProbe?.disconnect();
