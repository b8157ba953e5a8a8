// The SRE tab: the gateway shards live in the registry (fans, capacity, draining, the upgrades each
// refused for load; `GET /v1/shards` every SHARDS_REFRESH_MS), the joins this API process refused
// for load, and the chosen event's pre-warm (prewarm-form.tsx) and viewer QoE (qoe-panel.tsx).

import type { ShardsAnswer } from '@fanfare/protocol';
import { useCallback, useEffect, useState } from 'react';
import type { Call } from './control-api.js';
import { PrewarmForm } from './prewarm-form.js';
import { QoePanel } from './qoe-panel.js';

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
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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
  const ask = useCallback(async () => {
    try {
      setShards(await call<ShardsAnswer>('GET', '/v1/shards'));
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
