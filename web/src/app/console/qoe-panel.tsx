// The chosen event's viewer QoE (`GET /v1/events/{id}/qoe`, the last QOE_MINUTES, every
// QOE_REFRESH_MS): the headline figures against the seed's targets, by tier and by country, and
// two uPlot charts over the shards' 5 s windows (rebuffering, exits before start and failures in
// %; video start p50 and p95 in s) with the targets drawn as dashed lines. The figures come from
// what players report (qoe-view.ts does the arithmetic).

import type { QoeAnswer, QoeSummary } from '@fanfare/protocol';
import { useCallback, useEffect, useState } from 'react';
import { refusedForRole, type Call } from './control-api.js';
import { qoeFigures, ratioChartData, startChartData } from './qoe-view.js';
import { SeriesChart } from './series-chart.js';

/** How often the figures are fetched again, ms (the roll-up writes every 5 s). */
export const QOE_REFRESH_MS = 5000;
/** The range shown, minutes. */
export const QOE_MINUTES = 15;
const DASH = [6, 4];

const ratioText = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const msText = (v: number | null) => (v === null ? '–' : `${(v / 1000).toFixed(2)} s`);

function Breakdown({ caption, rows }: { caption: string; rows: [string, QoeSummary][] }) {
  return (
    <div className="table-scroll">
      <table className="shards compact">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{caption.startsWith('By tier') ? 'Tier' : 'Country'}</th>
            <th scope="col">Attempts</th>
            <th scope="col">Start p50</th>
            <th scope="col">Rebuffering</th>
            <th scope="col">Exits pre-start</th>
            <th scope="col">Failures</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, s]) => (
            <tr key={name} data-qoe-row={name}>
              <th scope="row">{name}</th>
              <td>{s.attempts}</td>
              <td>{msText(s.vstP50Ms)}</td>
              <td>{ratioText(s.rebufferingRatio)}</td>
              <td>{ratioText(s.ebvsRate)}</td>
              <td>{ratioText(s.failureRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function QoePanel({ call, eventId }: { call: Call; eventId: string }) {
  const [answer, setAnswer] = useState<QoeAnswer | string>();
  const [forbidden, setForbidden] = useState(false);
  const ask = useCallback(async () => {
    try {
      setAnswer(await call<QoeAnswer>('GET', `/v1/events/${eventId}/qoe?minutes=${QOE_MINUTES}`));
    } catch (err) {
      if (refusedForRole(err)) setForbidden(true);
      else setAnswer(err instanceof Error ? err.message : String(err));
    }
  }, [call, eventId]);
  useEffect(() => {
    if (forbidden) return;
    void ask();
    const timer = setInterval(() => void ask(), QOE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [ask, forbidden]);

  if (forbidden) {
    return (
      <section className="panel qoe" aria-label="Viewer QoE">
        <h2>Viewer QoE</h2>
        <p className="notice">Producers and SREs read viewer QoE; this credential may not.</p>
      </section>
    );
  }

  const a = typeof answer === 'object' ? answer : undefined;
  return (
    <section className="panel qoe" aria-label="Viewer QoE">
      <h2>Viewer QoE</h2>
      {answer === undefined && <p className="notice">Loading…</p>}
      {typeof answer === 'string' && (
        <p className="refusal" role="alert">
          {answer}
        </p>
      )}
      {a && (
        <>
          <p className="notice" data-qoe-attempts={a.total.attempts}>
            {a.total.attempts} viewer{a.total.attempts === 1 ? '' : 's'} tried to start in the last{' '}
            {QOE_MINUTES} minutes ({a.total.starts} started, {a.total.rebuffers} stalls).
          </p>
          <dl className="qoe-figures">
            {qoeFigures(a.total, a.targets).map((f) => (
              <div key={f.key} data-qoe={f.key} data-verdict={f.verdict}>
                <dt>{f.label}</dt>
                <dd>
                  {f.text}
                  {f.target && <small> target {f.target}</small>}
                </dd>
              </div>
            ))}
          </dl>
          <SeriesChart
            label="Rebuffering, exits before start and failures over time, with the 1 % and 5 % targets"
            unit="%"
            data={ratioChartData(a)}
            series={[
              { label: 'Rebuffering %', stroke: '#ff6b81' },
              { label: 'Exits before start %', stroke: '#ffcf5c' },
              { label: 'Failures %', stroke: '#6cb6ff' },
              { label: 'Rebuffering target', stroke: '#ff6b81', dash: DASH },
              { label: 'Exits target', stroke: '#ffcf5c', dash: DASH },
            ]}
          />
          <SeriesChart
            label="Video start median and p95 over time, with the 2 s target"
            unit="s"
            data={startChartData(a)}
            series={[
              { label: 'Start p50', stroke: '#b8a6ff' },
              { label: 'Start p95', stroke: '#4fd1a5' },
              { label: 'Start target', stroke: '#b8a6ff', dash: DASH },
            ]}
          />
          <Breakdown caption="By tier" rows={a.byTier.map((t) => [t.tier, t])} />
          <Breakdown caption="By country" rows={a.byCountry.map((c) => [c.country, c])} />
        </>
      )}
    </section>
  );
}
