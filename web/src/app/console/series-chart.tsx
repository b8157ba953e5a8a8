// A live series chart (uPlot) the console's panels share: made once, fed new data on each render,
// resized with its box; dashed series are targets. The y axis starts at 0 and reaches at least
// `minMax` (so a target line stays in view while the data is below it).

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

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
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: CHART_HEIGHT_PX,
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
      },
      [[], ...series.map(() => [])],
      el,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, el.clientWidth), height: CHART_HEIGHT_PX }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = undefined;
    };
    // Made once; `data` is fed below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    chart.current?.setData(data as uPlot.AlignedData);
  }, [data]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
