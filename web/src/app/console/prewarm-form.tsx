// The chosen event's pre-warm in the SRE tab: the last plan posted to this API (`GET
// .../prewarm`) or a new one (`POST`) from the expected audience, with the optional start time
// (the plan then says when to be warm by) and tiers (LL-HLS viewers, WebRTC seats), and its
// readiness list.

import { useEffect, useState, type FormEvent } from 'react';
import type { PrewarmAnswer, PrewarmRequest } from '@fanfare/protocol';
import { ControlApiError, type Call } from './control-api.js';
import { useMay } from './caller.js';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const whole = (text: string) => /^\d+$/.test(text.trim());
const when = (ms: number) =>
  new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export interface PrewarmFields {
  fans: string;
  joins: string;
  /** A `datetime-local` value (the browser's time zone), or empty. */
  startsAt: string;
  llHls: string;
  webrtc: string;
}

/** The `POST .../prewarm` body of the form; empty optional fields are left out. */
export function prewarmRequest(f: PrewarmFields): PrewarmRequest {
  const tiers = {
    ...(whole(f.llHls) ? { llHls: Number(f.llHls) } : {}),
    ...(whole(f.webrtc) ? { webrtc: Number(f.webrtc) } : {}),
  };
  return {
    expectedPeakFans: Number(f.fans),
    expectedJoinsPerSec: Number(f.joins),
    ...(f.startsAt ? { startsAt: new Date(f.startsAt).getTime() } : {}),
    ...(Object.keys(tiers).length > 0 ? { tiers } : {}),
  };
}

/** Whether the form can be sent: the two counts given, the optional ones empty or counts. */
export function prewarmReady(f: PrewarmFields): boolean {
  const optional = (text: string) => text.trim() === '' || whole(text);
  return whole(f.fans) && whole(f.joins) && optional(f.llHls) && optional(f.webrtc);
}

function Plan({ answer }: { answer: PrewarmAnswer }) {
  const { plan, readiness } = answer;
  return (
    <>
      <p>
        Plan: {plan.shards} shards (spare included), {plan.cluster.liveShards} live now.
      </p>
      <p className="plan-tiers">
        Viewers: {plan.llHls.viewers} on LL-HLS, {plan.webrtcSeats} WebRTC seats.
      </p>
      {plan.warmBy !== undefined && (
        <p data-warm-by={plan.warmBy}>
          Warm by {when(plan.warmBy)} ({plan.leadTimeMin} min before the start).
        </p>
      )}
      <ul aria-label="Readiness" className="readiness">
        {readiness.map((r) => (
          <li key={r.item} data-ready={r.state}>
            <span className={`badge ready-${r.state}`}>{r.state}</span> {r.item}: {r.reason}
          </li>
        ))}
      </ul>
    </>
  );
}

export function PrewarmForm({ call, eventId }: { call: Call; eventId: string }) {
  const mayPrewarm = useMay('prewarm');
  const [fields, setFields] = useState<PrewarmFields>({
    fans: '',
    joins: '',
    startsAt: '',
    llHls: '',
    webrtc: '',
  });
  const [answer, setAnswer] = useState<PrewarmAnswer | string>();
  const base = `/v1/events/${encodeURIComponent(eventId)}/prewarm`;
  const field = (name: keyof PrewarmFields) => ({
    value: fields[name],
    onChange: (e: { target: { value: string } }) =>
      setFields((f) => ({ ...f, [name]: e.target.value })),
  });

  useEffect(() => {
    call<PrewarmAnswer>('GET', base)
      .then(setAnswer)
      .catch((err: unknown) =>
        setAnswer(
          err instanceof ControlApiError && err.code === 'not_found'
            ? 'No pre-warm planned on this API yet.'
            : errorText(err),
        ),
      );
  }, [call, base]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setAnswer(await call<PrewarmAnswer>('POST', base, prewarmRequest(fields)));
    } catch (err) {
      setAnswer(errorText(err));
    }
  };

  if (!mayPrewarm) return null;
  return (
    <div>
      <h3>Pre-warm</h3>
      <form className="form-grid" onSubmit={(e) => void submit(e)}>
        <label>
          Expected peak fans
          <input inputMode="numeric" {...field('fans')} />
        </label>
        <label>
          Expected joins per second
          <input inputMode="numeric" {...field('joins')} />
        </label>
        <label>
          Starts at (optional: the plan says when to be warm)
          <input type="datetime-local" {...field('startsAt')} />
        </label>
        <label>
          LL-HLS viewers (optional; default every fan)
          <input inputMode="numeric" {...field('llHls')} />
        </label>
        <label>
          WebRTC seats (optional; default none)
          <input inputMode="numeric" {...field('webrtc')} />
        </label>
        <button type="submit" disabled={!prewarmReady(fields)}>
          Plan pre-warm
        </button>
      </form>
      {typeof answer === 'string' && <p className="notice">{answer}</p>}
      {typeof answer === 'object' && <Plan answer={answer} />}
    </div>
  );
}
