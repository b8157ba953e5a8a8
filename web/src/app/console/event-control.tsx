// One event under control: its lifecycle (schedule, go live, end, archive), and while it is
// scheduled or live, a watching connection (the console joins as a ticket-holding fan named
// "Console", so ticketed events admit it too) that feeds the live panels, the poll tally and the
// live chat view; and the event's audit log.

import { useState } from 'react';
import type { EventState, Playback } from '@fanfare/protocol';
import type { JoinFn } from '@fanfare/sdk';
import { FanfareProvider, useFanfareClient } from '@fanfare/react';
import type { Call, ConsoleEvent } from './control-api.js';
import { AuditPanel } from './audit-panel.js';
import { LivePanel } from './live-panel.js';
import { ModerationPanel } from './moderation-panel.js';
import { PollsPanel } from './polls-panel.js';
import { RulesPanel } from './rules-panel.js';
import { QoePanel } from './qoe-panel.js';
import { StreamPanel } from './stream-panel.js';
import { StreamPreview } from './stream-preview.js';

/** The moves the console offers from each state, in the API's lifecycle. */
const MOVES: Record<EventState, Array<{ to: EventState; label: string }>> = {
  draft: [
    { to: 'scheduled', label: 'Schedule' },
    { to: 'live', label: 'Go live' },
  ],
  scheduled: [
    { to: 'live', label: 'Go live' },
    { to: 'draft', label: 'Back to draft' },
  ],
  live: [{ to: 'ended', label: 'End event' }],
  ended: [{ to: 'archived', label: 'Archive' }],
  archived: [],
};

/**
 * Joins as the console's watcher: a ticket minted by this credential, then the fan join; the
 * reply's playback goes to the preview.
 */
function watcherJoin(
  call: Call,
  eventId: string,
  onPlayback: (playback: Playback | undefined) => void,
): JoinFn {
  return async (previous) => {
    let token = previous;
    if (token === undefined) {
      // A moderator may not mint tickets: then join as a plain fan (public events only).
      const ticket = await call<{ token: string }>('POST', `/v1/events/${eventId}/tickets`, {
        userId: 'console',
        name: 'Console',
        entitlements: ['ticketed'],
      }).catch(() => undefined);
      token = ticket?.token;
    }
    const res = await fetch(`/v1/events/${encodeURIComponent(eventId)}/join`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(token ? {} : { name: 'Console' }),
    });
    if (!res.ok) throw new Error(`join refused: ${res.status}`);
    const reply = (await res.json()) as { token: string; gatewayUrl: string; playback?: Playback };
    onPlayback(reply.playback);
    return reply;
  };
}

function LiveEvent({ call, event }: { call: Call; event: ConsoleEvent }) {
  const [playback, setPlayback] = useState<Playback>();
  const client = useFanfareClient({ join: watcherJoin(call, event.id, setPlayback) });
  if (!client) return <p className="notice">Connecting to the event…</p>;
  return (
    <FanfareProvider client={client}>
      {playback && (
        <section className="panel" aria-label="Preview">
          <StreamPreview playback={playback} />
        </section>
      )}
      <LivePanel />
      <PollsPanel call={call} eventId={event.id} />
      <ModerationPanel call={call} eventId={event.id} />
    </FanfareProvider>
  );
}

export interface EventControlProps {
  call: Call;
  event: ConsoleEvent;
  onChanged(): Promise<void>;
}

export function EventControl({ call, event, onChanged }: EventControlProps) {
  const [error, setError] = useState<string>();
  const move = async (to: EventState) => {
    setError(undefined);
    try {
      await call('POST', `/v1/events/${event.id}/state`, { state: to, version: event.version });
      await onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const watching = event.state === 'scheduled' || event.state === 'live';
  return (
    <section aria-label={`Event ${event.title}`} className="form-grid">
      <div className="panel">
        <h2>
          <span>
            {event.title} <span className={`badge state-${event.state}`}>{event.state}</span>
          </span>
          <a href={`/e/${encodeURIComponent(event.id)}`} target="_blank" rel="noreferrer">
            Fan page
          </a>
        </h2>
        <div className="row">
          {MOVES[event.state].map((m) => (
            <button
              key={m.to}
              type="button"
              className={m.to === 'ended' ? 'danger' : ''}
              onClick={() => void move(m.to)}
            >
              {m.label}
            </button>
          ))}
        </div>
        {error && (
          <p className="refusal" role="alert">
            {error}
          </p>
        )}
      </div>
      <div className="panels">
        <StreamPanel call={call} eventId={event.id} />
        <QoePanel call={call} eventId={event.id} />
        {watching ? (
          <LiveEvent call={call} event={event} />
        ) : (
          <p className="notice panel">
            Polls and the live chat open once the event is scheduled or live.
          </p>
        )}
        <RulesPanel call={call} event={event} onChanged={onChanged} />
        <AuditPanel call={call} eventId={event.id} />
      </div>
    </section>
  );
}
