// Chat rules: slow mode, entitled-only chat and blocked terms, sent together as one change; fans
// on every shard follow within a second.

import { useState, type FormEvent } from 'react';
import { SLOW_MODE_MAX_S, SLOW_MODE_MIN_S } from '@fanfare/protocol';
import type { Call, ConsoleEvent } from './control-api.js';

export interface RulesPanelProps {
  call: Call;
  event: ConsoleEvent;
  onChanged(): Promise<void>;
}

export function RulesPanel({ call, event, onChanged }: RulesPanelProps) {
  const [slow, setSlow] = useState(event.slowModeS === null ? '' : String(event.slowModeS));
  const [entitledOnly, setEntitledOnly] = useState(event.entitledOnlyChat);
  const [terms, setTerms] = useState(event.blockedTerms.join(', '));
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setStatus(undefined);
    try {
      await call('PUT', `/v1/events/${event.id}/chat-rules`, {
        slowModeS: slow.trim() === '' ? null : Number(slow),
        entitledOnlyChat: entitledOnly,
        blockedTerms: terms
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      });
      setStatus('Chat rules saved');
      await onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form className="panel form-grid" aria-label="Chat rules" onSubmit={(e) => void save(e)}>
      <h2>Chat rules</h2>
      <label>
        Slow mode (seconds, {SLOW_MODE_MIN_S}-{SLOW_MODE_MAX_S}; empty for off)
        <input
          type="number"
          min={SLOW_MODE_MIN_S}
          max={SLOW_MODE_MAX_S}
          value={slow}
          onChange={(e) => setSlow(e.target.value)}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={entitledOnly}
          onChange={(e) => setEntitledOnly(e.target.checked)}
        />
        Ticket holders only may chat
      </label>
      <label>
        Blocked terms (comma-separated; * at either end matches more)
        <textarea rows={2} value={terms} onChange={(e) => setTerms(e.target.value)} />
      </label>
      <button type="submit">Save chat rules</button>
      {status && (
        <p className="notice" role="status">
          {status}
        </p>
      )}
      {error && (
        <p className="refusal" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
