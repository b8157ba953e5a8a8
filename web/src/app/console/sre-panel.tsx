// The SRE tab: the gateway shards live in the registry (fans, capacity, draining, the upgrades each
// refused for load, its fan-out latency p99 over its last 10 s; `GET /v1/shards` every
// SHARDS_REFRESH_MS) with a live chart of the cluster's highest fan-out p99 against the 250 ms
// goal (fanout-series.ts), the joins this API process refused for load, and the chosen event's
// pre-warm (prewarm-form.tsx) and viewer QoE (qoe-panel.tsx).

import type { ShardsAnswer } from '@fanfare/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Call } from './control-api.js';
import { FANOUT_GOAL_MS, FanoutSeries, fanoutText, type FanoutChartData } from './fanout-series.js';
import { PrewarmForm } from './prewarm-form.js';
import { QoePanel } from './qoe-panel.js';
import { SeriesChart } from './series-chart.js';

/** How often the shard table is fetched again, ms. */
export const SHARDS_REFRESH_MS = 5000;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const pct = (fans: number, capacity: number) =>
  capacity > 0 ? `${Math.round((100 * fans) / capacity)}%` : '–';

function ShardTable({ answer, eventId }: { answer: ShardsAnswer; eventId: string | undefined }) {
  const { shards, totals, refusals, registry } = answer;
  return (
    <>
      {registry.state !== 'ready' && (
        <p className="refusal" role="status">
          Shard registry {registry.state}: {registry.reason}
        </p>
      )}
      <div className="table-scroll">
        <table className="shards">
          <caption>
            {shards.length} live shard{shards.length === 1 ? '' : 's'}: {totals.fans} fans of{' '}
            {totals.capacity} ({pct(totals.fans, totals.capacity)}), {totals.draining} draining
          </caption>
          <thead>
            <tr>
              <th scope="col">Shard</th>
              <th scope="col">Fans</th>
              <th scope="col">Capacity</th>
              <th scope="col">Full</th>
              {eventId && <th scope="col">This event</th>}
              <th scope="col">State</th>
              <th scope="col">Refused (load)</th>
              <th scope="col">Fan-out p99</th>
            </tr>
          </thead>
          <tbody>
            {shards.map((s) => (
              <tr key={s.id} data-shard={s.id}>
                <th scope="row">{s.id}</th>
                <td>{s.fans}</td>
                <td>{s.capacity}</td>
                <td>{pct(s.fans, s.capacity)}</td>
                {eventId && <td>{s.events[eventId] ?? 0}</td>}
                <td>
                  {s.draining ? <span className="badge state-ended">draining</span> : 'taking fans'}
                </td>
                <td data-refused={s.refusedOverloaded ?? ''}>{s.refusedOverloaded ?? '–'}</td>
                <td data-fanout-p99={s.fanout?.p99Ms ?? ''}>{fanoutText(s.fanout)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p data-fanout-max={totals.fanoutP99Ms ?? ''}>
        Fan-out p99 over the last 10 s, highest shard:{' '}
        {totals.fanoutP99Ms === null ? 'nothing sent' : `${totals.fanoutP99Ms} ms`} (goal{' '}
        {FANOUT_GOAL_MS} ms).
      </p>
      <p data-shards-refused={totals.refusedOverloaded}>
        Upgrades the live shards refused for load (their admission budgets) since each started:{' '}
        {totals.refusedOverloaded}.
      </p>
      <p data-overloaded={refusals.overloaded}>
        Joins this API refused for load since it started: {refusals.overloaded} overloaded,{' '}
        {refusals.rate_limited} rate limited.
      </p>
    </>
  );
}

export interface SrePanelProps {
  call: Call;
  /** The chosen event, for its fans per shard and its pre-warm. */
  eventId: string | undefined;
}

export function SrePanel({ call, eventId }: SrePanelProps) {
  const [shards, setShards] = useState<ShardsAnswer | string>();
  const fanout = useRef(new FanoutSeries());
  const [fanoutData, setFanoutData] = useState<FanoutChartData>(() => fanout.current.data());
  const ask = useCallback(async () => {
    try {
      const answer = await call<ShardsAnswer>('GET', '/v1/shards');
      fanout.current.add(answer.totals.fanoutP99Ms, Date.now());
      setFanoutData(fanout.current.data());
      setShards(answer);
    } catch (err) {
      setShards(errorText(err));
    }
  }, [call]);
  useEffect(() => {
    void ask();
    const timer = setInterval(() => void ask(), SHARDS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [ask]);

  return (
    <section className="panel" aria-label="SRE">
      <h2>
        <span>Shards</span>
        <button type="button" className="secondary" onClick={() => void ask()}>
          Refresh
        </button>
      </h2>
      {shards === undefined && <p className="notice">Loading…</p>}
      {typeof shards === 'string' && (
        <p className="refusal" role="alert">
          {shards}
        </p>
      )}
      {typeof shards === 'object' && <ShardTable answer={shards} eventId={eventId} />}
      <SeriesChart
        label={`Fan-out latency p99 over time, highest shard, with the ${FANOUT_GOAL_MS} ms goal`}
        unit="ms"
        data={fanoutData}
        minMax={FANOUT_GOAL_MS}
        showGaps
        series={[
          { label: 'Fan-out p99 (highest shard)', stroke: '#4fd1a5' },
          { label: 'Goal', stroke: '#ff6b81', dash: [6, 4] },
        ]}
      />
      {eventId ? (
        <>
          <PrewarmForm key={eventId} call={call} eventId={eventId} />
          <QoePanel key={`qoe-${eventId}`} call={call} eventId={eventId} />
        </>
      ) : (
        <p className="notice">Choose an event for its pre-warm plan.</p>
      )}
    </section>
  );
}
