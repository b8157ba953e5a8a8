import { describe, expect, it } from 'vitest';
import { oneCoreObjective, shownStep } from './objectives-floor.js';
import { emptyRow } from './scenario-row.js';
import type { RampStep, ScenarioRow } from './scenario-row.js';

function step(ratePerSec: number, p99Ms: number, serverCpu = 30, generatorCpu = 20): RampStep {
  return {
    ratePerSec,
    messagesPerSec: ratePerSec,
    offeredPerSec: ratePerSec * 19_000,
    deliveriesPerSec: ratePerSec * 19_000,
    p50Ms: p99Ms / 2,
    p99Ms,
    maxMs: p99Ms + 5,
    generatorCpu,
    serverCpu,
    disconnects: 0,
    held: p99Ms <= 100,
  };
}

function ramp(target: ScenarioRow['target'], steps: RampStep[], fans = 19_000): ScenarioRow {
  const shown = { ...emptyRow('broadcast-max', target, 1, fans), steps };
  const best = shownStep(shown)!;
  return { ...shown, p99Ms: best.p99Ms, heldObjective: best.held };
}

describe('oneCoreObjective', () => {
  it('meets the goal when a step at 19,000 fans held p99 <= 100 ms', () => {
    const o = oneCoreObjective([ramp('fanfare', [step(1, 60), step(1.5, 80), step(2.3, 140)])]);
    expect(o).toMatchObject({ id: '19k-one-core', value: 80, threshold: 100, met: true });
  });

  it('names the loopback floor when raw uWS misses too at the same fans and rate', () => {
    const rows = [
      ramp('fanfare', [step(1, 182.4, 31)]),
      ramp('uws-raw', [step(1, 164.8, 26)], 18_990),
    ];
    const o = oneCoreObjective(rows);
    expect(o).toMatchObject({ value: 182.4, met: false });
    expect(o.limit).toContain('the loopback floor: at 1 msg/s to 19,000 fans');
    expect(o.limit).toContain(
      'raw uWS (one topic, nothing else) had p99 164.8 ms on 26% of its core',
    );
    expect(o.limit).toContain('Fanfare 182.4 ms on 31% of its core');
  });

  it('blames Fanfare, not the floor, when raw uWS held at that rate', () => {
    const rows = [ramp('fanfare', [step(1, 150)]), ramp('uws-raw', [step(1, 70)])];
    expect(oneCoreObjective(rows).limit).toContain("Fanfare's own cost, not the floor");
  });

  it('says when the run has no raw uWS step to compare, and flags a saturated generator', () => {
    const alone = oneCoreObjective([ramp('fanfare', [step(1, 150)])]);
    expect(alone.limit).toContain('no uws-raw step at 1 msg/s to 19,000 fans');
    const saturated = oneCoreObjective([
      ramp('fanfare', [step(1, 150)]),
      ramp('uws-raw', [step(1, 170, 20, 97)]),
    ]);
    expect(saturated.limit).toContain('a generator was saturated');
  });

  it('ignores small ramps: 2,000 fans say nothing about a full shard', () => {
    const o = oneCoreObjective([ramp('fanfare', [step(100, 40)], 2000)]);
    expect(o).toMatchObject({ value: null, met: null });
  });
});
