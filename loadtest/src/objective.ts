// One target of the issue as a run reports it (value, threshold, met, what limited it), and the
// helpers every rule in objectives*.ts shares: pick a run's row, say what bounded it from the
// row's own CPU readings.

import type { TargetKind } from './dialect.js';
import { DISTURBED_OTHER_CPU, GENERATOR_SATURATED_CPU } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';

export interface Objective {
  id: string;
  description: string;
  /** The measured value, in the unit of `threshold`; null when the run did not measure it. */
  value: number | null;
  threshold: number;
  met: boolean | null;
  /** What the run says bounded the figure (generator, server CPU, ...), when it can tell. */
  limit: string;
}

/** Connected fans of two rows of the same plan: a few may have failed or been closed. */
export function sameFans(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.05 * Math.max(a, b);
}

/** The row with the most fans among those `keep` accepts; undefined when none. */
export function largest(
  rows: readonly ScenarioRow[],
  keep: (r: ScenarioRow) => boolean,
): ScenarioRow | undefined {
  return rows
    .filter(keep)
    .reduce<ScenarioRow | undefined>(
      (a, b) => (a === undefined || b.fans > a.fans ? b : a),
      undefined,
    );
}

/** The one-shard row of a scenario against a target with the most fans. */
export function find(
  rows: readonly ScenarioRow[],
  name: string,
  target: TargetKind,
): ScenarioRow | undefined {
  return largest(rows, (r) => r.name === name && r.target === target && r.shards === 1);
}

export const check = (value: number | null, ok: (v: number) => boolean): boolean | null =>
  value === null ? null : ok(value);

/** What bounded a row's figure, as far as CPU readings tell. */
export function limitOf(row: ScenarioRow | undefined): string {
  if (row === undefined) return 'not measured';
  if (row.notes.some((n) => n.startsWith('failed:'))) return 'the run failed';
  const parts: string[] = [];
  if (row.generatorCpu >= GENERATOR_SATURATED_CPU)
    parts.push(`generator saturated (${Math.round(row.generatorCpu)}%): a lower bound`);
  if (row.serverCpu !== null && row.serverCpu >= 90)
    parts.push(`server CPU (${Math.round(row.serverCpu)}% of its core)`);
  if (parts.length === 0) parts.push('neither side saturated: latency or protocol bound');
  return parts.join('; ') + busyNote(row);
}

/**
 * `; other processes used N% of a core meanwhile` when the row says the machine was busy with
 * something else (CPU per unit then reads high: caches, scheduling), else ''.
 */
export function busyNote(row: ScenarioRow | undefined): string {
  return row?.otherCpu !== undefined && row.otherCpu > DISTURBED_OTHER_CPU
    ? `; other processes used ${Math.round(row.otherCpu)}% of a core meanwhile`
    : '';
}
