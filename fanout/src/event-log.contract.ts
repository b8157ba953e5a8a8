// The behaviour every EventLog must show: one sequence per event, assigned once; dedupe by
// msgId; ordered delivery to followers; reads for snapshots and recovery; an epoch that holds
// while the history lasts and changes when the log starts over.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, LogEntry } from './event-log.js';

export interface EventLogFixture {
  log: EventLog;
  /** A second handle on the same log (another shard), or the same one in-process. */
  peer: EventLog;
  /** An event id unique to this run (so runs on a shared server never collide). */
  eventId(name: string): string;
  /** A new handle on the same log over a new connection (the same one in-process). */
  reconnect(): Promise<EventLog>;
  /**
   * Makes the event's log start over and returns the handle to use from then on: JetStream
   * deletes the event's stream (the handle recreates it); memory starts a new log, as a
   * restarted engine does.
   */
  startOver(eventId: string): Promise<EventLog>;
  cleanup(): Promise<void>;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function follower() {
  const entries: LogEntry[] = [];
  let wake: (() => void) | undefined;
  return {
    entries,
    handler: (entry: LogEntry) => {
      entries.push(entry);
      wake?.();
    },
    async until(n: number): Promise<void> {
      while (entries.length < n) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

export function eventLogContract(name: string, create: () => Promise<EventLogFixture>): void {
  describe(`EventLog contract: ${name}`, () => {
    let f: EventLogFixture;
    beforeEach(async () => {
      f = await create();
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('assigns consecutive sequence numbers per event, starting at 1', async () => {
      const ev = f.eventId('seq');
      const a = await f.log.append(ev, enc('a'), 'm1');
      const b = await f.peer.append(ev, enc('b'), 'm2');
      const c = await f.log.append(ev, enc('c'), 'm3');
      expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
      expect(a.duplicate || b.duplicate || c.duplicate).toBe(false);
      const [ea, eb] = await f.log.readAfter(ev, 0, 2).then((r) => r.entries);
      expect(eb!.ts).toBeGreaterThanOrEqual(ea!.ts);
    });

    it('keeps separate sequences for separate events', async () => {
      const one = f.eventId('one');
      const two = f.eventId('two');
      await f.log.append(one, enc('x'), 'a');
      await f.log.append(one, enc('y'), 'b');
      const first = await f.log.append(two, enc('z'), 'c');
      expect(first.seq).toBe(1);
    });

    it('refuses a repeated msgId with the first position and stores nothing new', async () => {
      const ev = f.eventId('dedupe');
      const first = await f.log.append(ev, enc('hello'), 'same-id');
      const again = await f.peer.append(ev, enc('hello'), 'same-id');
      expect(again).toEqual({ epoch: first.epoch, seq: first.seq, duplicate: true });
      const next = await f.log.append(ev, enc('other'), 'other-id');
      expect(next.seq).toBe(first.seq + 1);
      const range = await f.log.readAfter(ev, 0, 10);
      expect(range.entries.map((e) => dec(e.data))).toEqual(['hello', 'other']);
    });

    it('delivers appended entries to followers in sequence order, each once', async () => {
      const ev = f.eventId('follow');
      const a = follower();
      const b = follower();
      f.log.follow(ev, a.handler);
      f.peer.follow(ev, b.handler);
      await f.log.append(ev, enc('warm'), 'warm'); // followers are attached once this arrives
      await Promise.all([a.until(1), b.until(1)]);
      for (let i = 0; i < 50; i++)
        await (i % 2 ? f.log : f.peer).append(ev, enc(`m${i}`), `id${i}`);
      await Promise.all([a.until(51), b.until(51)]);
      for (const f0 of [a, b]) {
        expect(f0.entries.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
        expect(dec(f0.entries[1]!.data)).toBe('m0');
        expect(f0.entries[1]!.msgId).toBe('id0');
      }
    });

    it('stops delivering after unsubscribe, while other followers go on', async () => {
      const ev = f.eventId('unfollow');
      const a = follower();
      const b = follower();
      const subA = f.log.follow(ev, a.handler);
      f.log.follow(ev, b.handler);
      await f.log.append(ev, enc('1'), '1');
      await Promise.all([a.until(1), b.until(1)]);
      subA.unsubscribe();
      await f.log.append(ev, enc('2'), '2');
      await b.until(2);
      expect(a.entries).toHaveLength(1);
    });

    it('reads the newest entries and ranges after a sequence number', async () => {
      const ev = f.eventId('read');
      const empty = { entries: [], firstSeq: 0, lastSeq: 0 };
      expect(await f.log.readLast(ev, 5)).toMatchObject(empty);
      expect(await f.log.readAfter(ev, 0, 5)).toMatchObject(empty);
      for (let i = 1; i <= 8; i++) await f.log.append(ev, enc(`m${i}`), `r${i}`);
      const last = await f.log.readLast(ev, 3);
      expect(last.entries.map((e) => e.seq)).toEqual([6, 7, 8]);
      expect([last.firstSeq, last.lastSeq]).toEqual([1, 8]);
      const range = await f.peer.readAfter(ev, 2, 4);
      expect(range.entries.map((e) => dec(e.data))).toEqual(['m3', 'm4', 'm5', 'm6']);
      expect(range.firstSeq).toBe(1);
      expect(range.lastSeq).toBe(8);
      expect((await f.log.readAfter(ev, 8, 10)).entries).toEqual([]);
    });

    it('names one epoch across reads, appends and a reconnect, and a new one when the log starts over', async () => {
      const ev = f.eventId('epoch');
      const before = (await f.log.readAfter(ev, 0, 10)).epoch;
      expect(before).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
      const a = await f.log.append(ev, enc('a'), 'e1');
      const b = await f.peer.append(ev, enc('b'), 'e2');
      const again = await f.log.append(ev, enc('a'), 'e1');
      expect([a.epoch, b.epoch, again.epoch]).toEqual([before, before, before]);
      const last = await f.peer.readLast(ev, 10);
      expect(last.epoch).toBe(before);
      expect(last.entries.map((e) => e.epoch)).toEqual([before, before]);
      const reconnected = await f.reconnect();
      expect((await reconnected.readAfter(ev, 0, 10)).epoch).toBe(before);
      expect((await reconnected.append(ev, enc('c'), 'e3')).epoch).toBe(before);

      const restarted = await f.startOver(ev);
      const c = await restarted.append(ev, enc('other history'), 'e4');
      expect(c.epoch).not.toBe(before);
      expect(c.seq).toBe(1); // the numbers start again: only the epoch tells the histories apart
      const after = await restarted.readAfter(ev, 0, 10);
      expect(after.epoch).toBe(c.epoch);
      expect(after.entries.map((e) => [e.epoch, dec(e.data)])).toEqual([
        [c.epoch, 'other history'],
      ]);
    });
  });
}
