// What a join and a delivery cost each target's server, side by side with the rates (issue 17
// point 1): per scenario, fans and shards, every target's CPU-µs per unit of work (its own
// utime + stime over the phase, see ScenarioRow) beside its joins/s or deliveries/s. A rate
// says as much about the generator and the machine as about the server; the CPU per unit does not.

import type { TargetKind } from './dialect.js';
import { sameFans } from './objective.js';
import type { ScenarioRow } from './scenario-row.js';

export interface TargetCost {
  /** CPU-µs of the server's own CPU per unit; null when not measured. */
  cpuUs: number | null;
  /** The rate beside it: fans admitted per second, or deliveries per second. */
  perSec: number | null;
}

export interface CpuCost {
  scenario: string;
  fans: number;
  shards: number;
  unit: 'join' | 'delivery';
  targets: Partial<Record<TargetKind, TargetCost>>;
}

const ORDER: readonly TargetKind[] = ['fanfare', 'uws-raw', 'socketio'];

function costOf(r: ScenarioRow): { unit: CpuCost['unit']; cost: TargetCost } | undefined {
  if (r.name === 'join-storm') {
    return {
      unit: 'join',
      cost: { cpuUs: r.cpuUsPerJoin ?? null, perSec: r.connectPerSec ?? null },
    };
  }
  if (r.cpuUsPerDelivery === undefined) return undefined;
  return { unit: 'delivery', cost: { cpuUs: r.cpuUsPerDelivery, perSec: r.deliveriesPerSec } };
}

/** One entry per scenario, shards and fan count that some target ran, in the rows' order. */
export function cpuCosts(rows: readonly ScenarioRow[]): CpuCost[] {
  const out: CpuCost[] = [];
  for (const r of rows) {
    const found = costOf(r);
    if (found === undefined) continue;
    let entry = out.find(
      (c) => c.scenario === r.name && c.shards === r.shards && sameFans(c.fans, r.fans),
    );
    if (entry === undefined) {
      entry = { scenario: r.name, fans: r.fans, shards: r.shards, unit: found.unit, targets: {} };
      out.push(entry);
    }
    // A target twice in one group (a rerun): the later row stands, as later rows do elsewhere.
    entry.targets[r.target] = found.cost;
  }
  return out.filter((c) => Object.values(c.targets).some((t) => t.cpuUs !== null));
}

const num = (n: number | null, digits = 2): string =>
  n === null ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** One target's figure as text: `120 CPU-µs/join at 2,203/s`. */
export function costText(c: CpuCost, target: TargetKind): string {
  const t = c.targets[target];
  if (t === undefined) return '-';
  return `${num(t.cpuUs)} CPU-µs/${c.unit} at ${num(t.perSec, 0)}/s`;
}

export const costTargets = (c: CpuCost): TargetKind[] =>
  ORDER.filter((t) => c.targets[t] !== undefined);

/** Lines for the terminal: one per scenario, every target that ran it. */
export function formatCosts(list: readonly CpuCost[]): string {
  return list
    .map((c) => {
      const where = `${c.scenario} (${c.fans.toLocaleString('en-US')} fans${c.shards > 1 ? `, ${c.shards} shards` : ''})`;
      return `  ${where}: ${costTargets(c)
        .map((t) => `${t} ${costText(c, t)}`)
        .join('; ')}`;
    })
    .join('\n');
}
