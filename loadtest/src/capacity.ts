// The capacity profile a pre-warm planner reads (loadtest/results/capacity.json): what one
// Fanfare shard on one core held within the latency objective in this run. Derived from the
// suite's rows, never hand-edited. Format documented in loadtest/README.md ("Capacity profile").

import type { MachineInfo } from './machine.js';
import { GENERATOR_SATURATED_CPU } from './scenario-row.js';
import type { RampStep, ScenarioRow } from './scenario-row.js';

export const CAPACITY_FORMAT_VERSION = 1;

export interface ShardCapacity {
  /** Fans connected to the shard (one event) while the ramp ran. */
  fans: number;
  /** Whether any rate held the objective with this many fans. */
  held: boolean;
  /** The best ramp step within the objective (0 when none held), and the chat rate behind it. */
  deliveriesPerSec: number;
  messagesPerSec: number;
  /** That step's p99; with no step held, the lowest p99 any step reached. */
  p99Ms: number;
  /** Server memory per connected fan, KiB, from the largest join storm; null if unknown. */
  kibPerConn: number | null;
  /** Fans the shard admitted per second in that join storm; null if unknown. */
  connectsPerSec: number | null;
  /**
   * What stopped the ramp: the shard's core, the generator, the objective with neither core
   * full, or the ramp's last step (every step held).
   */
  limitedBy: 'server' | 'generator' | 'objective' | 'ramp-end';
  /** True when the generator saturated first or the ramp ended: the shard does at least this. */
  lowerBound: boolean;
  /** Every step of the ramp, for planners that interpolate between rates. */
  steps: RampStep[];
}

export interface CapacityProfile {
  version: typeof CAPACITY_FORMAT_VERSION;
  measuredAt: string;
  machine: MachineInfo;
  /** The latency objective the figures held: p99 publish-to-fan latency, ms. */
  objective: { p99Ms: number };
  /** One shard, one core, embedded mode: one entry per fan count ramped, fewest fans first. */
  shards: ShardCapacity[];
}

function limitedBy(edge: RampStep): ShardCapacity['limitedBy'] {
  if (edge.generatorCpu >= GENERATOR_SATURATED_CPU) return 'generator';
  if (edge.serverCpu !== null && edge.serverCpu >= 90) return 'server';
  return 'objective';
}

/** The profile from a run's rows: Fanfare's single-shard ramps, and its largest join storm. */
export function capacityProfile(
  rows: readonly ScenarioRow[],
  machine: MachineInfo,
  measuredAt: string,
  objectiveMs: number,
): CapacityProfile {
  const single = rows.filter((r) => r.target === 'fanfare' && r.shards === 1);
  const join = single
    .filter((r) => r.name === 'join-storm')
    .reduce<ScenarioRow | undefined>(
      (a, b) => (a === undefined || b.fans > a.fans ? b : a),
      undefined,
    );
  const ramps = single
    .filter((r) => r.name === 'broadcast-max' && (r.steps?.length ?? 0) > 0)
    .sort((a, b) => a.fans - b.fans);
  const shards = ramps.map((ramp): ShardCapacity => {
    const steps = ramp.steps!;
    const held = steps.filter((s) => s.held);
    const best =
      held.length > 0
        ? held.reduce((a, b) => (b.deliveriesPerSec > a.deliveriesPerSec ? b : a))
        : steps.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    // The step past the best one is where the ramp stopped, and says why.
    const edge = held.length > 0 ? (steps[steps.indexOf(best) + 1] ?? best) : best;
    const ranOut = held.length > 0 && steps.indexOf(best) === steps.length - 1;
    const limit = ranOut ? 'ramp-end' : limitedBy(edge);
    return {
      fans: ramp.fans,
      held: held.length > 0,
      deliveriesPerSec: held.length > 0 ? best.deliveriesPerSec : 0,
      messagesPerSec: held.length > 0 ? best.messagesPerSec : 0,
      p99Ms: best.p99Ms,
      kibPerConn: join?.kibPerConn ?? null,
      connectsPerSec: join?.connectPerSec ?? null,
      limitedBy: limit,
      lowerBound: limit === 'generator' || limit === 'ramp-end',
      steps,
    };
  });
  return {
    version: CAPACITY_FORMAT_VERSION,
    measuredAt,
    machine,
    objective: { p99Ms: objectiveMs },
    shards,
  };
}
