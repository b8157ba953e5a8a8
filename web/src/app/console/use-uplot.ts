// One uPlot chart inside a React box, shared by the console's charts: made when `key` changes
// (with the options `build` gives for the box's width), resized with its box, destroyed on
// unmount, and fed `data` on every change without being made again.

import { useEffect, useRef, type RefObject } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Narrower than this, a chart's axes and legend no longer fit; the box scrolls instead. */
const MIN_WIDTH_PX = 280;
/** The span a chart shows before a single point or with no data, s. */
const SINGLE_POINT_SPAN_S = 60;

/**
 * The time axis: the data's span; the minute before the point while all points share one time;
 * the last minute before any data (uPlot would show 1970).
 */
const timeRange: uPlot.Range.Function = (_u, min, max) => {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) {
    const now = Date.now() / 1000;
    return [now - SINGLE_POINT_SPAN_S, now];
  }
  return min === max ? [min - SINGLE_POINT_SPAN_S, max] : [min, max];
};

export function useUplot(
  key: string,
  heightPx: number,
  build: () => Omit<uPlot.Options, 'width' | 'height'>,
  data: uPlot.AlignedData,
): RefObject<HTMLDivElement | null> {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(MIN_WIDTH_PX, el.clientWidth);
    const options = build();
    const empty = options.series.map(() => []) as unknown as uPlot.AlignedData;
    const scales = { x: { time: true, range: timeRange }, ...options.scales };
    const plot = new uPlot({ ...options, scales, width: width(), height: heightPx }, empty, el);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: heightPx }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = undefined;
    };
    // Made once per key; `build` is read then, `data` is fed below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, heightPx]);
  useEffect(() => {
    chart.current?.setData(data);
  }, [data, key]);
  return box;
}
