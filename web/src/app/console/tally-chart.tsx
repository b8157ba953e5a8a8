// A poll's running tally as a live chart: votes per option over time, drawn by uPlot (a small,
// fast canvas library made for streaming series). Each new tally appends one point per option;
// the chart is made once per poll and fed with setData, sized to its box.

import { useMemo } from 'react';
import uPlot from 'uplot';
import { useUplot } from './use-uplot.js';

/** Colours of the options' series, in option order. */
const COLOURS = ['#b8a6ff', '#4fd1a5', '#ffcf5c', '#ff6b81', '#6cb6ff'];
const CHART_HEIGHT_PX = 220;
const stepped = uPlot.paths.stepped?.({ align: 1 });

export interface TallyPoint {
  /** Seconds since the Unix epoch. */
  t: number;
  counts: readonly number[];
}

export interface TallyChartProps {
  options: readonly string[];
  points: readonly TallyPoint[];
}

function toData(options: readonly string[], points: readonly TallyPoint[]): uPlot.AlignedData {
  return [points.map((p) => p.t), ...options.map((_, i) => points.map((p) => p.counts[i] ?? 0))];
}

export function TallyChart({ options, points }: TallyChartProps) {
  const data = useMemo(() => toData(options, points), [options, points]);
  const box = useUplot(
    options.join('\u0000'),
    CHART_HEIGHT_PX,
    () => ({
      scales: { y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
      axes: [
        { stroke: '#a29cb8', grid: { stroke: '#3a345255' } },
        { stroke: '#a29cb8', grid: { stroke: '#3a345255' } },
      ],
      series: [
        {},
        ...options.map((label, i) => ({
          label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          // Votes jump: a step line says "this many from then on", not a slope between tallies.
          paths: stepped,
        })),
      ],
    }),
    data,
  );

  return <div ref={box} className="chart" role="img" aria-label="Live tally chart" />;
}
