import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventLogContract } from './event-log.contract.js';
import type { LogEntry } from './event-log.js';
import { JetStreamEventLog, type JetStreamEventLogOptions } from './event-log-jetstream.js';
import { LOG_DEDUPE_WINDOW_MS, LOG_MAX_AGE_MS, LOG_MAX_ENTRIES } from './event-log-limits.js';
import { streamEpoch } from './jetstream-log-streams.js';
import { silentLogger } from './logger.js';
import { connectNats, type NatsLink } from './nats-connection.js';
import { createSubjects, type Subjects } from './subjects.js';
import { natsTestPrefix, natsUrl, requireNats, within } from './testing-nats.js';

const available = await requireNats();
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Two shards on a shared server, each with its own connection, and a sweep of the run's streams. */
async function twoShards(options: Partial<JetStreamEventLogOptions> = {}) {
  const prefix = natsTestPrefix();
  const subjects = createSubjects(prefix);
  const connect = (name: string) =>
    connectNats({ servers: [natsUrl()], name: `${prefix}-${name}`, logger: silentLogger });
  const [a, b] = await Promise.all([connect('log'), connect('peer')]);
  const links = [a, b];
  const jsm = await jetstreamManager(a.nc);
  const make = (connection: NatsLink) =>
    new JetStreamEventLog({
      connection,
      ownsConnection: false,
      subjects,
      logger: silentLogger,
      ...options,
    });
  const log = make(a);
  const peer = make(b);
  const logs = [log, peer];
  return {
    prefix,
    subjects,
    jsm,
    log,
    peer,
    /** Another handle on the same streams, over a new connection. */
    async reconnect() {
      const link = await connect(`again${links.length}`);
      links.push(link);
      const again = make(link);
      logs.push(again);
      return again;
    },
    async cleanup() {
      await Promise.all(logs.map((l) => l.close()));
      await deleteStreams(jsm, subjects);
      await Promise.all(links.map((l) => l.close()));
    },
  };
}

/** Deletes every stream of the run: all of them carry the run's prefix. */
async function deleteStreams(jsm: JetStreamManager, subjects: Subjects): Promise<void> {
  const mine = subjects.logStream('x').slice(0, -1);
  const names: string[] = [];
  for await (const name of jsm.streams.names()) if (name.startsWith(mine)) names.push(name);
  await Promise.all(names.map((name) => jsm.streams.delete(name)));
}

function follower() {
  const entries: LogEntry[] = [];
  let wake: () => void = () => undefined;
  return {
    entries,
    handler: (entry: LogEntry) => {
      entries.push(entry);
      wake();
    },
    async until(n: number): Promise<void> {
      while (entries.length < n) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

describe.runIf(available)('JetStreamEventLog on the shared server', () => {
  eventLogContract('JetStreamEventLog', async () => {
    const shards = await twoShards();
    return {
      log: shards.log,
      peer: shards.peer,
      eventId: (name) => name,
      reconnect: shards.reconnect,
      startOver: async (eventId) => {
        await shards.jsm.streams.delete(shards.subjects.logStream(eventId));
        return shards.log;
      },
      cleanup: shards.cleanup,
    };
  });

  describe('streams and limits', () => {
    let s: Awaited<ReturnType<typeof twoShards>>;
    beforeEach(async () => {
      s = await twoShards({ maxEntries: 3 });
    });
    afterEach(async () => {
      await s.cleanup();
    });

    it('creates one stream per event, named from the prefix, with the log limits', async () => {
      const limited = await twoShards(); // default limits
      try {
        await limited.log.append('limits', enc('x'), 'a');
        const info = await limited.jsm.streams.info(limited.subjects.logStream('limits'));
        expect(info.config.name).toBe(`${limited.prefix}_ev_limits`);
        expect(info.config.subjects).toEqual([limited.subjects.log('limits')]);
        expect(info.config).toMatchObject({
          max_msgs: LOG_MAX_ENTRIES,
          max_age: nanos(LOG_MAX_AGE_MS),
          duplicate_window: nanos(LOG_DEDUPE_WINDOW_MS),
          storage: 'file',
          discard: 'old',
          num_replicas: 1,
        });
      } finally {
        await limited.cleanup();
      }
    });

    it('lets two shards race to create the same stream and still numbers entries once', async () => {
      const results = await Promise.all([
        s.log.append('race', enc('a'), 'a'),
        s.peer.append('race', enc('b'), 'b'),
      ]);
      expect(results.map((r) => r.seq).sort()).toEqual([1, 2]);
    });

    it('reports the oldest retained seq once the count limit drops entries', async () => {
      for (let i = 1; i <= 5; i++) await s.log.append('retained', enc(`m${i}`), `m${i}`);
      const range = await s.peer.readAfter('retained', 0, 10);
      expect(range.firstSeq).toBe(3);
      expect(range.lastSeq).toBe(5);
      expect(range.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
      expect((await s.peer.readLast('retained', 10)).entries.map((e) => dec(e.data))).toEqual([
        'm3',
        'm4',
        'm5',
      ]);
    });

    it('starts a new follower at entries stamped within the clock-skew allowance', async () => {
      await s.log.append('late', enc('old'), 'old'); // well within FOLLOW_CLOCK_SKEW_MS
      const f = follower();
      s.peer.follow('late', f.handler);
      await s.log.append('late', enc('new'), 'new');
      await within(f.until(2), 5_000, 'both entries');
      expect(f.entries.map((e) => [e.seq, dec(e.data), e.msgId])).toEqual([
        [1, 'old', 'old'],
        [2, 'new', 'new'],
      ]);
    });

    it('gives a new follower nothing stamped before its start', async () => {
      const strict = await twoShards({ followSkewMs: 0 });
      try {
        await strict.log.append('late', enc('old'), 'old');
        const [old] = (await strict.log.readLast('late', 1)).entries;
        // Same host, same clock: once it reads 2 ms past the old entry's ms, follow() is later.
        while (Date.now() < old!.ts + 2) await new Promise((resolve) => setImmediate(resolve));
        const f = follower();
        strict.peer.follow('late', f.handler);
        await strict.log.append('late', enc('new'), 'new');
        await within(f.until(1), 5_000, 'the new entry');
        expect(f.entries.map((e) => [e.seq, dec(e.data)])).toEqual([[2, 'new']]);
      } finally {
        await strict.cleanup();
      }
    });

    it('recreates a stream deleted under it on the next append', async () => {
      const first = await s.log.append('gone', enc('a'), 'a');
      expect(first.seq).toBe(1);
      await s.jsm.streams.delete(s.subjects.logStream('gone'));
      const again = await s.log.append('gone', enc('b'), 'b');
      expect(again).toMatchObject({ seq: 1, duplicate: false });
      expect(again.epoch).not.toBe(first.epoch);
    });

    it('follows a stream recreated under it as a new history, from its start', async () => {
      const f = follower();
      s.peer.follow('reborn', f.handler);
      await s.log.append('reborn', enc('old'), 'old');
      await within(f.until(1), 5_000, 'the first history');
      await s.jsm.streams.delete(s.subjects.logStream('reborn'));
      // The follower's consumer went with the stream; appends recreate it meanwhile.
      const fresh = await s.log.append('reborn', enc('new 1'), 'n1');
      await s.log.append('reborn', enc('new 2'), 'n2');
      await within(f.until(3), 10_000, 'the new history');
      const [old, n1, n2] = f.entries;
      expect(fresh.epoch).not.toBe(old!.epoch);
      expect([n1, n2].map((e) => [e!.epoch, e!.seq, dec(e!.data)])).toEqual([
        [fresh.epoch, 1, 'new 1'],
        [fresh.epoch, 2, 'new 2'],
      ]);
    });

    it('leaves no consumer on the server once followers and reads are done', async () => {
      const sub = s.log.follow('tidy', () => undefined);
      await s.peer.append('tidy', enc('a'), 'a');
      await s.log.readAfter('tidy', 0, 10);
      expect(s.log.activeFollows()).toBe(1);
      sub.unsubscribe();
      expect(s.log.activeFollows()).toBe(0);
      await s.log.close(); // waits for the follower's and the read's consumers to be deleted
      const info = await s.jsm.streams.info(s.subjects.logStream('tidy'));
      expect(info.state.consumer_count).toBe(0);
    });
  });
});

describe('stream epochs', () => {
  it('turns the creation time into nanoseconds in base 36, offset and precision included', () => {
    const utc = streamEpoch('2026-12-03T17:46:13.123456789Z');
    expect(parse36(utc)).toBe(1796319973123456789n);
    expect(streamEpoch('2026-12-03T18:46:13.123456789+01:00')).toBe(utc);
    expect(parse36(streamEpoch('2026-12-03T17:46:13.5Z'))).toBe(1796319973500000000n);
    expect(streamEpoch('2026-12-03T17:46:13.123456788Z')).not.toBe(utc);
    expect(streamEpoch('not a time')).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });
});

function parse36(text: string): bigint {
  let n = 0n;
  for (const c of text) n = n * 36n + BigInt(parseInt(c, 36));
  return n;
}
