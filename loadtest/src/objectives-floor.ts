// Issue 17 point 8: one shard's worth of fans (19,000) of one event, broadcast-max p99 <= 100 ms.
// On a core whose loopback write costs ~10 µs per socket the fan-out of one message to 19,000
// fans takes longer than that whatever the server does, and raw uWS (uws-raw: one topic,
// nothing else) shows it in the same run: the limit compares the two at the same fans and rate.

import type { Objective } from './objective.js';
import { largest, limitOf, sameFans } from './objective.js';
import type { RampStep, ScenarioRow } from './scenario-row.js';

export const ONE_CORE_GOAL = { fans: 19_000, p99Ms: 100 } as const;

/** The step a ramp's row shows: the best that held, else the one with the lowest p99. */
export function shownStep(row: ScenarioRow): RampStep | undefined {
  const steps = row.steps ?? [];
  const held = steps.filter((s) => s.held);
  if (held.length > 0)
    return held.reduce((a, b) => (b.deliveriesPerSec > a.deliveriesPerSec ? b : a));
  return steps.reduce<RampStep | undefined>(
    (a, b) => (a === undefined || b.p99Ms < a.p99Ms ? b : a),
    undefined,
  );
}

const cpu = (s: RampStep): string =>
  s.serverCpu === null ? '' : ` on ${Math.round(s.serverCpu)}% of its core`;

function missedBecause(
  ours: ScenarioRow,
  step: RampStep | undefined,
  raw: ScenarioRow | undefined,
): string {
  if (step === undefined) return limitOf(ours);
  const at = `${step.ratePerSec} msg/s to ${ours.fans.toLocaleString('en-US')} fans`;
  const rawStep = raw?.steps?.find(
    (s) => Math.abs(s.ratePerSec - step.ratePerSec) <= 0.01 * step.ratePerSec,
  );
  const gen = [step, rawStep].some((s) => s !== undefined && s.generatorCpu >= 90)
    ? '; a generator was saturated: the p99s are upper bounds for the servers'
    : '';
  if (rawStep === undefined) {
    return `no uws-raw step at ${at} in this run to compare (the loopback floor); Fanfare p99 ${step.p99Ms} ms${cpu(step)}; ${limitOf(ours)}`;
  }
  if (rawStep.p99Ms > ONE_CORE_GOAL.p99Ms) {
    return `the loopback floor: at ${at} raw uWS (one topic, nothing else) had p99 ${rawStep.p99Ms} ms${cpu(rawStep)} in this run and Fanfare ${step.p99Ms} ms${cpu(step)}: writing one message to this many loopback sockets on one core takes longer than ${ONE_CORE_GOAL.p99Ms} ms whatever the server does; more cores (shards) per event is the way under it${gen}`;
  }
  return `Fanfare's own cost, not the floor: at ${at} raw uWS held p99 ${rawStep.p99Ms} ms${cpu(rawStep)} in this run, Fanfare ${step.p99Ms} ms${cpu(step)}; ${limitOf(ours)}`;
}

export function oneCoreObjective(rows: readonly ScenarioRow[]): Objective {
  const full = (r: ScenarioRow): boolean =>
    r.name === 'broadcast-max' && r.shards === 1 && r.fans >= 0.95 * ONE_CORE_GOAL.fans;
  const ours = largest(rows, (r) => full(r) && r.target === 'fanfare');
  const raw =
    ours === undefined
      ? undefined
      : largest(rows, (r) => full(r) && r.target === 'uws-raw' && sameFans(r.fans, ours.fans));
  const step = ours === undefined ? undefined : shownStep(ours);
  const p99 = step?.p99Ms ?? ours?.p99Ms ?? null;
  const goal = ONE_CORE_GOAL;
  return {
    id: '19k-one-core',
    description: `broadcast-max with ${ours?.fans.toLocaleString('en-US') ?? '19,000'} fans of one event on one shard (one core), p99 ms at the best rate (<= ${goal.p99Ms} at any rate)`,
    value: p99,
    threshold: goal.p99Ms,
    met:
      ours === undefined || p99 === null ? null : ours.heldObjective === true && p99 <= goal.p99Ms,
    limit:
      ours === undefined
        ? 'not measured (broadcast-max --fans 19000)'
        : ours.heldObjective === true
          ? limitOf(ours)
          : missedBecause(ours, step, raw),
  };
}
