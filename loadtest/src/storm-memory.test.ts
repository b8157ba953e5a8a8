import { describe, expect, it } from 'vitest';
import { memoryExtra } from './rows-table.js';
import { memoryProgress, rssSpan, stormMemory } from './storm-memory.js';
import type { Collected, MemoryReading } from './storm-memory.js';

const FANS = 19_000;
const MiB = 1024;

function collected(rssMiB: number, heapUsedMiB: number, heapTotalMiB: number): Collected {
  const reading: MemoryReading = {
    rssKiB: rssMiB * MiB,
    settled: true,
    heap: { usedKiB: heapUsedMiB * MiB, totalKiB: heapTotalMiB * MiB },
    elapsedMs: 1600,
  };
  return { reading };
}

describe("the join storm's memory figure", () => {
  it('is the RSS growth between the collected readings, with the heap growth beside it', () => {
    // The 2026-12-04 run: 101.5 MB after collection before, 128.3 MB after; the first read
    // counted from 115 MB (startup garbage) to 133 MB (the storm's garbage).
    const m = stormMemory({
      connected: FANS,
      before: collected(101.5, 18, 19.6),
      after: collected(128.3, 29, 30.2),
      openedKiB: 115 * MiB,
      firstAfter: { kib: 133 * MiB, settled: true },
    });
    expect(m.kibPerConn).toBe(1.44);
    expect(m.memory).toEqual({
      method: 'full-gc',
      heapUsedKiBPerConn: 0.59,
      heapTotalKiBPerConn: 0.57,
      firstReadKiBPerConn: 0.97,
    });
    expect(m.notes).toEqual([]);
  });

  it('falls back to the old reading, saying why, when either end has no collection', () => {
    for (const [before, after] of [
      [{ failure: 'no inspector' }, { failure: 'no inspector' }],
      [collected(100, 18, 20), { failure: 'HeapProfiler.collectGarbage: no answer' }],
    ] as [Collected, Collected][]) {
      const m = stormMemory({
        connected: FANS,
        before,
        after,
        openedKiB: 100 * MiB,
        firstAfter: { kib: 140 * MiB, settled: false },
      });
      expect(m.kibPerConn).toBe(2.16);
      expect(m.memory.method).toBe('first-read');
      expect(m.memory.heapUsedKiBPerConn).toBeNull();
      expect(m.notes[0]).toContain('failure' in after ? after.failure : '');
      expect(m.notes).toContain('server RSS still moving when read');
    }
  });

  it('gives no figure rather than a wrong one when RSS fell over the storm', () => {
    const m = stormMemory({
      connected: FANS,
      before: collected(110, 18, 20),
      after: collected(108, 28, 30),
      openedKiB: 120 * MiB,
      firstAfter: { kib: 119 * MiB, settled: true },
    });
    expect(m.kibPerConn).toBeNull();
    expect(m.memory.firstReadKiBPerConn).toBeNull();
    expect(m.memory.heapUsedKiBPerConn).toBe(0.54);
    expect(m.notes).toEqual([
      'server RSS after collection fell over the storm: memory not measured',
    ]);
  });

  it('notes an end whose RSS was still moving after its collection', () => {
    const after = collected(130, 29, 30);
    if ('reading' in after) after.reading.settled = false;
    const m = stormMemory({
      connected: FANS,
      before: collected(100, 18, 20),
      after,
      openedKiB: undefined,
      firstAfter: undefined,
    });
    expect(m.memory.method).toBe('full-gc');
    expect(m.memory.firstReadKiBPerConn).toBeNull();
    expect(m.notes).toEqual(['server busy or its RSS still moving when read after a collection']);
  });

  it('shows the detailed summary the ends the figure was read between', () => {
    const first = { kib: 133 * MiB, settled: true };
    expect(rssSpan(collected(101.5, 18, 20), collected(128.3, 29, 30), 115 * MiB, first)).toEqual({
      beforeKiB: 101.5 * MiB,
      afterKiB: 128.3 * MiB,
      settled: true,
    });
    expect(rssSpan({ failure: 'x' }, { failure: 'x' }, 115 * MiB, first)).toEqual({
      beforeKiB: 115 * MiB,
      afterKiB: 133 * MiB,
      settled: true,
    });
    expect(rssSpan({ failure: 'x' }, { failure: 'x' }, undefined, first)).toBeUndefined();
  });

  it('says in the table how the figure was read and what the old reading was', () => {
    const m = stormMemory({
      connected: FANS,
      before: collected(101.5, 18, 19.6),
      after: collected(128.3, 29, 30.2),
      openedKiB: 115 * MiB,
      firstAfter: { kib: 133 * MiB, settled: true },
    });
    expect(memoryExtra(m.memory)).toBe(
      "KiB/conn between full collections; V8 heap growth per conn after them: used 0.59, allocated 0.57; first read (no collection, from the session's start) 0.97",
    );
    expect(memoryProgress(collected(1, 1, 1), { failure: 'x' })).toBe(
      'memory: collection and settled RSS before the storm 1.6 s, after not made',
    );
  });
});
