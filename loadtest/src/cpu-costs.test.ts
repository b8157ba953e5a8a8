import { describe, expect, it } from 'vitest';
import { costText, cpuCosts, formatCosts } from './cpu-costs.js';
import { emptyRow } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';

function row(
  name: string,
  target: ScenarioRow['target'],
  fans: number,
  patch: Partial<ScenarioRow>,
): ScenarioRow {
  return { ...emptyRow(name, target, patch.shards ?? 1, fans), ...patch };
}

const rows: ScenarioRow[] = [
  row('join-storm', 'fanfare', 19_000, { cpuUsPerJoin: 120, connectPerSec: 2203 }),
  row('join-storm', 'uws-raw', 19_000, { cpuUsPerJoin: 43, connectPerSec: 2571 }),
  row('join-storm', 'socketio', 18_990, { cpuUsPerJoin: 310, connectPerSec: 2001 }),
  row('broadcast-max', 'fanfare', 2000, { cpuUsPerDelivery: 0.44, deliveriesPerSec: 1_502_887 }),
  row('broadcast-max', 'uws-raw', 2000, { cpuUsPerDelivery: 2.4, deliveriesPerSec: 294_862 }),
  row('broadcast-max', 'fanfare', 19_000, { cpuUsPerDelivery: 10.2, deliveriesPerSec: 30_401 }),
  row('recovery', 'fanfare', 19_000, { dropped: 3798 }),
];

describe('cpuCosts', () => {
  it('puts every target of a scenario, fans and shards side by side, CPU beside the rate', () => {
    const list = cpuCosts(rows);
    expect(list.map((c) => [c.scenario, c.fans, c.unit, Object.keys(c.targets)])).toEqual([
      ['join-storm', 19_000, 'join', ['fanfare', 'uws-raw', 'socketio']],
      ['broadcast-max', 2000, 'delivery', ['fanfare', 'uws-raw']],
      ['broadcast-max', 19_000, 'delivery', ['fanfare']],
    ]);
    expect(costText(list[0]!, 'socketio')).toBe('310 CPU-µs/join at 2,001/s');
    expect(costText(list[1]!, 'fanfare')).toBe('0.44 CPU-µs/delivery at 1,502,887/s');
    expect(costText(list[1]!, 'socketio')).toBe('-');
  });

  it('leaves out a scenario no target measured the CPU of', () => {
    const unmeasured = [row('join-storm', 'fanfare', 100, { cpuUsPerJoin: null })];
    expect(cpuCosts(unmeasured)).toEqual([]);
  });

  it('prints one line per scenario, targets in a fixed order', () => {
    expect(formatCosts(cpuCosts(rows.slice(0, 3)))).toBe(
      '  join-storm (19,000 fans): fanfare 120 CPU-µs/join at 2,203/s; uws-raw 43 CPU-µs/join at 2,571/s; socketio 310 CPU-µs/join at 2,001/s',
    );
  });
});
