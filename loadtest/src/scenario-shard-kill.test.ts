import { describe, expect, it } from 'vitest';
import { chooseVictim, shardLoads, spareCapacity } from './scenario-shard-kill.js';
import type { ShardProcess } from './scenario-shard-kill.js';
import type { Placement } from './worker-messages.js';

const shards: ShardProcess[] = [
  { id: 'g1', port: 9001, pid: 11 },
  { id: 'g2', port: 9002, pid: 12 },
  { id: 'g3', port: 9003, pid: 13 },
];

describe('spareCapacity', () => {
  it('lets all but one shard hold every fan, within the 5 % the API keeps free', () => {
    for (const [fans, count] of [
      [600, 3],
      [19_000, 6],
      [6000, 2],
    ] as const) {
      const capacity = spareCapacity(fans, count);
      // The API fills a shard while it holds fewer than floor(95 % of capacity).
      expect(Math.floor(capacity * 0.95) * (count - 1)).toBeGreaterThanOrEqual(fans);
      // Not so large that the fans fit on fewer shards than all but one.
      expect(Math.floor(capacity * 0.95) * (count - 2)).toBeLessThan(fans);
    }
  });
});

/** The victim among `shards` as the scenario chooses it, from the generators' placements. */
const victimOf = (placements: Placement[], wanted: string | undefined) =>
  chooseVictim(shardLoads(shards, placements), wanted);

describe('chooseVictim', () => {
  it('takes the fullest shard that holds no sender, over both generators', () => {
    const placements: Placement[] = [
      { fans: { '9001': 200, '9002': 150 }, senders: { '9002': 5 } },
      { fans: { '9001': 119, '9002': 131 }, senders: {} },
    ];
    expect(victimOf(placements, undefined)).toEqual({
      shard: shards[0],
      fans: 319,
      senders: 0,
    });
  });

  it('takes the fullest when every loaded shard holds senders, or the one named', () => {
    const placements = [{ fans: { '9001': 300, '9002': 100 }, senders: { '9001': 1, '9002': 1 } }];
    expect(victimOf(placements, undefined).shard.id).toBe('g1');
    expect(victimOf(placements, 'g3')).toEqual({
      shard: shards[2],
      fans: 0,
      senders: 0,
    });
    expect(() => victimOf(placements, 'g9')).toThrow(/no shard g9/);
    expect(() => victimOf([{ fans: {}, senders: {} }], undefined)).toThrow(
      /no shard holds any fan/,
    );
  });
});
