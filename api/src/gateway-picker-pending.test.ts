// The picker's count of fans it placed that have not connected yet, against shards that report
// what they admitted per placement (`admitted`): exact however late a fan connects within the
// window, never counting a connected fan twice, other replicas' fans included (shared through
// the registry). Fake clock, memory registry.

import { MemoryShardRegistry, type Logger, type ShardState } from '@fanfare/fanout';
import { shard } from '@fanfare/fanout/testing';
import { describe, expect, it } from 'vitest';
import { GatewayPicker, PENDING_WINDOW_S, REGISTRY_CACHE_MS } from './gateway-picker.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Shard `a` of capacity 20 (19 places) in a memory registry on a fake clock, a way to make it
 * report, and pickers on it: `picker` is replica api1, `pickerAs` makes others.
 */
async function oneShard() {
  const registry = new MemoryShardRegistry();
  let now = 100_000;
  const report = async (over: Partial<ShardState>) => {
    await registry.heartbeat(shard('a', { capacity: 20, admitted: {}, at: now, ...over }), 600_000);
  };
  await report({});
  const pickerAs = (replicaId: string) => new GatewayPicker(registry, quiet, () => now, replicaId);
  const picker = pickerAs('api1');
  /** How many of `n` picks by `by` found a shard. */
  const picks = async (n: number, by = picker) => {
    const got: Array<string | undefined> = [];
    for (let i = 0; i < n; i++) got.push((await by.pick('demo'))?.url);
    return got.filter(Boolean).length;
  };
  const advance = (ms: number) => (now += ms);
  /** A heartbeat `ms` from now, then one cache period, so the next pick reads it. */
  const reportIn = async (ms: number, over: Partial<ShardState>) => {
    advance(ms);
    await report(over);
    advance(REGISTRY_CACHE_MS);
  };
  return { picker, pickerAs, report, reportIn, picks, advance };
}

describe('GatewayPicker counting fans still coming', () => {
  it('hands each fan the placement its token carries: replica id and assignment second', async () => {
    const { picker } = await oneShard();
    expect(await picker.pick('demo')).toEqual({
      url: 'ws://127.0.0.1/a',
      placement: { r: 'api1', s: 100 },
    });
  });

  it('does not forget fans that connect late: the shard has not admitted them', async () => {
    const { picks, report, advance } = await oneShard();
    expect(await picks(19)).toBe(19);
    // 20 s on, tokens still unused: heartbeats say nobody came. Still full.
    for (let i = 0; i < 10; i++) {
      advance(2_000);
      await report({});
    }
    advance(REGISTRY_CACHE_MS);
    expect(await picks(5)).toBe(0);
  });

  it('does not count twice a fan that connected, nor one that came and left', async () => {
    const { picks, reportIn } = await oneShard();
    expect(await picks(19)).toBe(19); // all in second 100
    // 10 admitted, 3 of them gone since: 7 here, 9 still coming: 16 of 19 places.
    await reportIn(3_000, { fans: 7, events: { demo: 7 }, admitted: { api1: { '100': 10 } } });
    expect(await picks(5)).toBe(3);
  });

  it('counts only its own placements as admitted, not another replica’s', async () => {
    const { picks, reportIn } = await oneShard();
    expect(await picks(10)).toBe(10);
    // Another replica's 9 fans of the same second connected; none of ours did.
    await reportIn(3_000, { fans: 9, events: { demo: 9 }, admitted: { api2: { '100': 9 } } });
    expect(await picks(5)).toBe(0); // 9 here + our 10 coming = 19
  });

  it('forgets assignments after PENDING_WINDOW_S (the shard’s fans hold them by then)', async () => {
    const { picks, reportIn } = await oneShard();
    expect(await picks(19)).toBe(19);
    await reportIn(PENDING_WINDOW_S * 1000 - 1_000, {});
    expect(await picks(1)).toBe(0);
    await reportIn(2_000, {});
    expect(await picks(19)).toBe(19);
  });

  it('falls back to the report time for a shard that reports no admissions (older shards)', async () => {
    const { picks, reportIn } = await oneShard();
    expect(await picks(19)).toBe(19);
    // An older shard: no `admitted`; its report came after the assignments: trusted.
    await reportIn(3_000, { admitted: undefined, fans: 10 });
    expect(await picks(10)).toBe(9);
  });
});

describe('GatewayPicker with other API replicas', () => {
  it('counts the fans other replicas placed that the shard has not admitted', async () => {
    const { picks, pickerAs, report, reportIn, advance } = await oneShard();
    const two = pickerAs('api2');
    expect(await picks(12)).toBe(12);
    advance(REGISTRY_CACHE_MS);
    await picks(1); // a refresh: api1 shares its 12 (13 with this one, shared next time)
    advance(2_000);
    await report({});
    // api2 sees api1's 12 still coming: 7 places left of 19.
    expect(await picks(8, two)).toBe(7);
    // The shard admits api1's 13 and api2's 7: counted once, as connected fans. Full.
    await reportIn(2_000, { fans: 20, admitted: { api1: { '100': 13 }, api2: { '102': 7 } } });
    await picks(1); // api1 shares again
    advance(REGISTRY_CACHE_MS);
    expect(await picks(1, two)).toBe(0);
    // 10 of them leave: 9 places again (19 less the 10 here), nothing counted twice.
    await reportIn(2_000, { fans: 10, admitted: { api1: { '100': 13 }, api2: { '102': 7 } } });
    expect(await picks(12, two)).toBe(9);
  });

  it('forgets another replica’s assignments older than PENDING_WINDOW_S, though still shared', async () => {
    const { picks, pickerAs, report, advance } = await oneShard();
    const two = pickerAs('api2');
    expect(await picks(10, two)).toBe(10); // second 100
    advance(40_000);
    // A refresh: api2 shares second 100's 10 (this pick comes after the share) and stops.
    expect(await picks(1, two)).toBe(1);
    // api1 reads that share PENDING_WINDOW_S + 1 s after second 100: all 19 places are free.
    advance((PENDING_WINDOW_S + 1) * 1000 - 40_000);
    await report({});
    expect(await picks(19)).toBe(19);
  });
});
