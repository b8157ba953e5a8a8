// Formats scenario results as a Markdown table (pasted as is into docs/cowatch.md) and the
// verdict on the goals.

import {
  GOAL_CONVERGE_MS,
  GOAL_GAP_MAX_MS,
  GOAL_GAP_P95_MS,
  GOAL_MAX_BEYOND_MS,
  GOAL_P95_BEYOND_MS,
} from './measure.js';
import type { ScenarioResult } from './measure.js';

const COLUMNS = [
  'scenario',
  'members',
  '\\|err\\| p50/p95/max ms',
  'beyond p50/p95/max ms',
  'max asym ms',
  'clock beyond p95/max ms',
  'drift ±ppm (rate err p95)',
  'gap p50/p95/max ms',
  'join conv ms',
  'seek conv ms',
  'pause/resume conv ms',
  'rate conv ms',
  'starts with a seek',
  'seeks/member',
  'rate flips',
  'rate writes /member/min',
  'stalls (max recovery ms)',
  'goals',
];

function ms(value: number | undefined): string {
  if (value === undefined) return '-';
  return Number.isFinite(value) ? value.toFixed(0) : 'never';
}

function ms1(value: number): string {
  return value.toFixed(1);
}

export function resultRow(r: ScenarioResult): string[] {
  const missed = [
    r.goals.p95 ? '' : 'p95',
    r.goals.max ? '' : 'max',
    r.goals.converge ? '' : 'conv',
    r.goals.gap ? '' : 'gap',
  ].filter(Boolean);
  return [
    r.name,
    String(r.members),
    `${ms1(r.error.p50)} / ${ms1(r.error.p95)} / ${ms1(r.error.max)}`,
    `${ms1(r.beyond.p50)} / ${ms1(r.beyond.p95)} / ${ms1(r.beyond.max)}`,
    ms(r.maxAsymmetryMs),
    `${ms1(r.clockBeyond.p95)} / ${ms1(r.clockBeyond.max)}`,
    `${ms(r.maxDriftPpm)} (${ms(r.rateError.p95)})`,
    `${ms1(r.gap.p50)} / ${ms1(r.gap.p95)} / ${ms1(r.gap.max)}`,
    ms(r.joinConvergenceMs),
    ms(r.seekConvergenceMs),
    ms(r.pauseResumeConvergenceMs),
    ms(r.rateConvergenceMs),
    `${r.startSeeks} of ${r.starts}`,
    r.seeksPerMember.toFixed(1),
    String(r.rateFlips),
    r.rateWritesPerMin.toFixed(1),
    r.stalls === 0 ? '0' : `${r.stalls} (${ms(r.stallRecoveryMaxMs)})`,
    (r.stress ? 'stress, ' : '') + (missed.length === 0 ? 'met' : `MISSED: ${missed.join(', ')}`),
  ];
}

/** A Markdown table of `results`, columns padded for reading in a terminal. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = [COLUMNS, ...results.map(resultRow)];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(COLUMNS), rule, ...rows.slice(1).map(line)].join('\n');
}

export const GOALS_TEXT =
  `goals: beyond-asymmetry error p95 <= ${GOAL_P95_BEYOND_MS} ms and max <= ${GOAL_MAX_BEYOND_MS} ms ` +
  `(steady windows), every member converged within ${GOAL_CONVERGE_MS} ms of each host seek, ` +
  `pause and resume; on the issue's paths (path-*), two members' gap at the same true instant ` +
  `(less each one's path asymmetry) p95 <= ${GOAL_GAP_P95_MS} ms and max <= ${GOAL_GAP_MAX_MS} ms`;
