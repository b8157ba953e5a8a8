// One event under control: its lifecycle (schedule, go live, end, archive), and while it is
// scheduled or live, a watching connection (the console joins as a ticket-holding fan named
// "Console", so ticketed events admit it too) that feeds the live panels, the poll tally and the
// live chat view; and the event's audit log.

import { useEffect, useState } from 'react';
import type { EventState, Playback } from '@fanfare/protocol';
import type { FanfareClient, JoinFn } from '@fanfare/sdk';
import { FanfareProvider, useFanfareClient } from '@fanfare/react';
import type { Call, ConsoleEvent } from './control-api.js';
import { useMay } from './caller.js';
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

/**
 * The console's watching connection while the event is scheduled or live: made when this mounts,
 * closed when it unmounts, handed up so the panels that need it (the preview in the stream
 * panel, the live panels) share one client without the panel tree changing shape.
 */
function Watcher({
  call,
  eventId,
  onClient,
  onPlayback,
}: {
  call: Call;
  eventId: string;
  onClient: (client: FanfareClient | undefined) => void;
  onPlayback: (playback: Playback | undefined) => void;
}) {
  const client = useFanfareClient({ join: watcherJoin(call, eventId, onPlayback) });
  useEffect(() => {
    onClient(client);
    return () => onClient(undefined);
  }, [client, onClient]);
  return null;
}

export interface EventControlProps {
  call: Call;
  event: ConsoleEvent;
  onChanged(): Promise<void>;
}

export function EventControl({ call, event, onChanged }: EventControlProps) {
  const [error, setError] = useState<string>();
  const mayMove = useMay('manageEvents');
  const [client, setClient] = useState<FanfareClient>();
  // The watcher's join reply carries the playback; the preview shows it in the stream panel, by
  // the stream's status, where a producer looks first (and on screen, where Chromium's muted
  // autoplay starts).
  const [playback, setPlayback] = useState<Playback>();
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
          {(mayMove ? MOVES[event.state] : []).map((m) => (
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
        {watching && (
          <Watcher call={call} eventId={event.id} onClient={setClient} onPlayback={setPlayback} />
        )}
        <StreamPanel call={call} eventId={event.id}>
          {watching && client && playback && (
            <FanfareProvider client={client}>
              <section aria-label="Preview">
                <StreamPreview playback={playback} />
              </section>
            </FanfareProvider>
          )}
        </StreamPanel>
        <QoePanel call={call} eventId={event.id} />
        {watching && client ? (
          <FanfareProvider client={client}>
            <LivePanel />
            <PollsPanel call={call} eventId={event.id} />
            <ModerationPanel call={call} eventId={event.id} />
          </FanfareProvider>
        ) : watching ? (
          <p className="notice">Connecting to the event…</p>
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
