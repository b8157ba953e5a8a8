// Live panels for the event under control: viewers, chat rate and reaction heat, one point a
// second over the last five minutes (live-series.ts), from what the console's own watching
// connection sees (presence frames, chat, the reaction windows), drawn by uPlot like the tally.
// Viewers on the left axis, messages and taps per second on the right. The figures above the
// chart are the same data as text.

import { useEffect, useRef, useState } from 'react';
import type { ReactionCounts } from '@fanfare/protocol';
import { useClientEvent, usePresence } from '@fanfare/react';
import type uPlot from 'uplot';
import { useUplot } from './use-uplot.js';
import { LIVE_STEP_MS, LiveSeries, type LiveSeriesData } from './live-series.js';

const CHART_HEIGHT_PX = 200;
/** The figures' window: the last minute, s. */
const FIGURES_S = 60;

const toData = (d: LiveSeriesData): uPlot.AlignedData => [d.t, d.viewers, d.chat, d.reactions];
const taps = (counts: ReactionCounts) => Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);

export function LivePanel() {
  const series = useRef(new LiveSeries());
  const since = useRef(Date.now());
  const viewers = usePresence();
  const [totals, setTotals] = useState({ chat: 0, reactions: 0 });

  useEffect(() => {
    if (viewers !== undefined) series.current.viewers(viewers, Date.now());
  }, [viewers]);
  // Live messages only: the welcome's history is older than this panel.
  useClientEvent('chat', (m) => {
    if (m.ts >= since.current) series.current.chat(1, m.ts);
  });
  useClientEvent('reactions', ({ counts }) => series.current.reactions(taps(counts), Date.now()));

  const [data, setData] = useState(() => toData(series.current.at(Date.now())));
  useEffect(() => {
    const tick = setInterval(() => {
      const now = Date.now();
      setData(toData(series.current.at(now)));
      setTotals(series.current.totals(now, FIGURES_S));
    }, LIVE_STEP_MS);
    return () => clearInterval(tick);
  }, []);
  const box = useUplot(
    'live',
    CHART_HEIGHT_PX,
    () => ({
      scales: {
        viewers: { range: (_u, _min, max) => [0, Math.max(4, max)] },
        rate: { range: (_u, _min, max) => [0, Math.max(4, max)] },
      },
      axes: [
        { stroke: '#a29cb8', grid: { stroke: '#3a345255' } },
        { scale: 'viewers', stroke: '#b8a6ff', grid: { stroke: '#3a345255' } },
        { scale: 'rate', side: 1, stroke: '#ffcf5c', grid: { show: false } },
      ],
      series: [
        {},
        { label: 'Viewers', scale: 'viewers', stroke: '#b8a6ff', width: 2 },
        { label: 'Chat /s', scale: 'rate', stroke: '#4fd1a5', width: 2 },
        { label: 'Reactions /s', scale: 'rate', stroke: '#ff6b81', width: 2 },
      ],
    }),
    data,
  );

  return (
    <section className="panel" aria-label="Live panels">
      <h2>Live</h2>
      <p className="live-figures" role="status">
        <span data-viewers={viewers ?? ''}>{viewers ?? '–'} viewers</span> ·{' '}
        <span data-chat={totals.chat}>{totals.chat} chat messages</span> ·{' '}
        <span data-reactions={totals.reactions}>{totals.reactions} reaction taps</span> in the last
        minute
      </p>
      <div
        ref={box}
        className="live-chart"
        role="img"
        aria-label="Viewers, chat rate and reaction heat over the last five minutes"
      />
    </section>
  );
}
