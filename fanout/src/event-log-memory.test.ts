import { describe, expect, it } from 'vitest';
import { eventLogContract } from './event-log.contract.js';
import { MemoryEventLog } from './event-log-memory.js';
import { ManualClock } from './manual-clock.js';

eventLogContract('MemoryEventLog', async () => {
  const log = new MemoryEventLog();
  const logs = [log];
  return {
    log,
    peer: log,
    eventId: (name) => name,
    reconnect: async () => log,
    // A restarted engine: a new log, whose epoch is new.
    startOver: async () => {
      const next = new MemoryEventLog();
      logs.push(next);
      return next;
    },
    cleanup: async () => {
      await Promise.all(logs.map((l) => l.close()));
    },
  };
});

describe('MemoryEventLog retention', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('keeps at most maxEntries per event and reports the oldest retained seq', async () => {
    const log = new MemoryEventLog({ maxEntries: 3 });
    for (let i = 1; i <= 5; i++) await log.append('ev', enc(String(i)), `m${i}`);
    const range = await log.readAfter('ev', 0, 10);
    expect(range.firstSeq).toBe(3);
    expect(range.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('drops entries older than maxAgeMs and forgets msgIds after the dedupe window', async () => {
    const clock = new ManualClock();
    const log = new MemoryEventLog({ clock, maxAgeMs: 10_000, dedupeWindowMs: 5_000 });
    await log.append('ev', enc('old'), 'a');
    clock.advance(6_000);
    expect((await log.append('ev', enc('again'), 'a')).duplicate).toBe(false);
    clock.advance(5_000);
    const range = await log.readAfter('ev', 0, 10);
    expect(range.entries.map((e) => e.seq)).toEqual([2]);
    expect(range.firstSeq).toBe(2);
  });
});
