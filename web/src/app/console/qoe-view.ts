// What the console's QoE panel shows, from the API's answer (`GET /v1/events/{id}/qoe`): the
// headline figures against the seed's targets (rebuffering under 1 %, median start under 2 s,
// exits before start under 5 %), and the charts' series. Pure functions, unit-tested; the panel
// only draws them.

import type { QoeAnswer, QoeSummary } from '@fanfare/protocol';

export type QoeVerdict = 'ok' | 'over' | 'none';

export interface QoeFigure {
  key: 'vstP50' | 'vstP95' | 'rebuffering' | 'ebvs' | 'failures';
  label: string;
  /** The figure as text (`–` without data). */
  text: string;
  /** The target as text, when the figure has one. */
  target?: string;
  verdict: QoeVerdict;
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(ratio * 100 < 10 && ratio > 0 ? 1 : 0)} %`;
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

function verdict(value: number | null, limit: number | undefined): QoeVerdict {
  if (value === null) return 'none';
  if (limit === undefined) return 'ok';
  return value < limit ? 'ok' : 'over';
}

/** The headline figures of `s` against `targets`. */
export function qoeFigures(s: QoeSummary, targets: QoeAnswer['targets']): QoeFigure[] {
  return [
    {
      key: 'vstP50',
      label: 'Video start (median)',
      text: s.vstP50Ms === null ? '–' : secs(s.vstP50Ms),
      target: `< ${secs(targets.vstP50Ms)}`,
      verdict: verdict(s.vstP50Ms, targets.vstP50Ms),
    },
    {
      key: 'vstP95',
      label: 'Video start (p95)',
      text: s.vstP95Ms === null ? '–' : secs(s.vstP95Ms),
      verdict: verdict(s.vstP95Ms, undefined),
    },
    {
      key: 'rebuffering',
      label: 'Rebuffering',
      text: s.rebufferingRatio === null ? '–' : pct(s.rebufferingRatio),
      target: `< ${pct(targets.rebufferingRatio)}`,
      verdict: verdict(s.rebufferingRatio, targets.rebufferingRatio),
    },
    {
      key: 'ebvs',
      label: 'Exits before video start',
      text: s.ebvsRate === null ? '–' : pct(s.ebvsRate),
      target: `< ${pct(targets.ebvsRate)}`,
      verdict: verdict(s.ebvsRate, targets.ebvsRate),
    },
    {
      key: 'failures',
      label: 'Failures',
      text: s.failureRate === null ? '–' : pct(s.failureRate),
      verdict: verdict(s.failureRate, undefined),
    },
  ];
}

/** uPlot data, x in seconds: rebuffering, EBVS and failures in %, with the two targets. */
export function ratioChartData(a: QoeAnswer): [number[], ...(number | null)[][]] {
  const x = a.series.map((p) => p.t / 1000);
  const asPct = (v: number | null) => (v === null ? null : v * 100);
  return [
    x,
    a.series.map((p) => asPct(p.rebufferingRatio)),
    a.series.map((p) => asPct(p.ebvsRate)),
    a.series.map((p) => asPct(p.failureRate)),
    x.map(() => a.targets.rebufferingRatio * 100),
    x.map(() => a.targets.ebvsRate * 100),
  ];
}

/** uPlot data, x in seconds: video start p50 and p95 in s, with the p50 target. */
export function startChartData(a: QoeAnswer): [number[], ...(number | null)[][]] {
  const x = a.series.map((p) => p.t / 1000);
  const s = (v: number | null) => (v === null ? null : v / 1000);
  return [
    x,
    a.series.map((p) => s(p.vstP50Ms)),
    a.series.map((p) => s(p.vstP95Ms)),
    x.map(() => a.targets.vstP50Ms / 1000),
  ];
}
