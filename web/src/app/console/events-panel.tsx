// The events: every event this credential may see, and a form to create one (a draft, or
// scheduled at once when a start time is given).

import { useState, type FormEvent } from 'react';
import { eventIdFrom, type Call, type ConsoleEvent } from './control-api.js';
import { useMay } from './caller.js';

export interface EventsPanelProps {
  call: Call;
  events: readonly ConsoleEvent[];
  selected: string | undefined;
  onSelect(id: string): void;
  onChanged(): Promise<void>;
}

export function EventsPanel({ call, events, selected, onSelect, onChanged }: EventsPanelProps) {
  const [title, setTitle] = useState('');
  const [id, setId] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [error, setError] = useState<string>();
  const mayCreate = useMay('manageEvents');

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const eventId = id.trim() || eventIdFrom(title);
    try {
      await call('POST', '/v1/events', {
        id: eventId,
        title: title.trim(),
        ...(startsAt ? { startsAt: new Date(startsAt).toISOString() } : {}),
      });
      if (startsAt) await call('POST', `/v1/events/${eventId}/state`, { state: 'scheduled' });
      setTitle('');
      setId('');
      setStartsAt('');
      await onChanged();
      onSelect(eventId);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="panel" aria-label="Events">
      <h2>Events</h2>
      <ul className="event-list">
        {events.map((e) => (
          <li key={e.id}>
            <button type="button" aria-current={e.id === selected} onClick={() => onSelect(e.id)}>
              <span>{e.title}</span>
              <span className={`badge state-${e.state}`}>{e.state}</span>
            </button>
          </li>
        ))}
      </ul>
      {mayCreate && (
        <form className="form-grid" onSubmit={(e) => void create(e)} aria-label="Create an event">
          <h2>New event</h2>
          <label>
            Title
            <input
              value={title}
              required
              maxLength={200}
              onChange={(e) => setTitle(e.target.value)}
            />
          </label>
          <label>
            Event id
            <input
              value={id}
              placeholder={eventIdFrom(title) || 'from the title'}
              onChange={(e) => setId(e.target.value)}
            />
          </label>
          <label>
            Starts at (schedules it)
            <input
              type="datetime-local"
              value={startsAt}
              onChange={(e) => setStartsAt(e.target.value)}
            />
          </label>
          {error && (
            <p className="refusal" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={title.trim() === ''}>
            Create event
          </button>
        </form>
      )}
    </section>
  );
}
