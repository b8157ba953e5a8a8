// A live series chart (uPlot) the console's panels share: made once per set of series, fed new
// data on each render, resized with its box; dashed series are targets. The y axis starts at 0
// and reaches at least `minMax` (so a target line stays in view while the data is below it).

import type uPlot from 'uplot';
import { useUplot } from './use-uplot.js';

const CHART_HEIGHT_PX = 180;

export interface SeriesChartProps {
  /** The chart's accessible name (role img). */
  label: string;
  /** Shown after each value on the y axis. */
  unit: string;
  series: { label: string; stroke: string; dash?: number[] }[];
  /** uPlot's aligned data: times in s, then one array per series (null: a gap). */
  data: (number | null)[][];
  /** The y axis reaches at least this (default 1). */
  minMax?: number;
  /** Leave a gap at null points instead of joining across them. */
  showGaps?: boolean;
}

export function SeriesChart({
  label,
  unit,
  series,
  data,
  minMax = 1,
  showGaps = false,
}: SeriesChartProps) {
  // Made again only when what it draws changes (a panel's series are fixed in practice).
  const key = [unit, minMax, showGaps, ...series.map((s) => `${s.label}/${s.stroke}`)].join('|');
  const box = useUplot(
    key,
    CHART_HEIGHT_PX,
    () => ({
      scales: { y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, minMax) * 1.1] } },
      axes: [
        { stroke: '#a29cb8', grid: { stroke: '#3a345255' } },
        {
          stroke: '#a29cb8',
          grid: { stroke: '#3a345255' },
          // Wide enough for "0.25 s" and "250 ms" (uPlot's default clips them).
          size: 64,
          values: (_u, ticks) => ticks.map((t) => `${t} ${unit}`),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: s.dash ? 1 : 2,
          ...(s.dash ? { dash: s.dash } : {}),
          spanGaps: !showGaps,
        })),
      ],
    }),
    data as uPlot.AlignedData,
  );
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
