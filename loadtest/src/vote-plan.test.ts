import { describe, expect, it } from 'vitest';
import { voteIntent } from './vote-plan.js';

const SHARES = { optionCount: 4, duplicateShare: 0.1, changeShare: 0.02 };
const FANS = 10_000;

describe('voteIntent', () => {
  const intents = Array.from({ length: FANS }, (_, i) => voteIntent(i, SHARES));

  it('gives the same fan the same votes in every process', () => {
    expect(voteIntent(1234, SHARES)).toEqual(intents[1234]);
  });

  it('has the asked shares of fans vote twice, within a fan or two per thousand', () => {
    const same = intents.filter((v) => v.second === 'same').length;
    const other = intents.filter((v) => v.second === 'other').length;
    expect(Math.abs(same - FANS * 0.1)).toBeLessThan(20);
    expect(Math.abs(other - FANS * 0.02)).toBeLessThan(20);
  });

  it('sends the same option again for a duplicate and another option for a change', () => {
    for (const v of intents) {
      expect(v.option).toBeGreaterThanOrEqual(0);
      expect(v.option).toBeLessThan(SHARES.optionCount);
      if (v.second === 'other') expect(v.secondOption).not.toBe(v.option);
      else expect(v.secondOption).toBe(v.option);
    }
  });

  it('skews the options, so a result with two swapped cannot match', () => {
    const counts = [0, 0, 0, 0];
    for (const v of intents) counts[v.option]!++;
    expect(new Set(counts).size).toBe(4);
    expect(counts[0]).toBeGreaterThan(counts[1]!);
  });
});
