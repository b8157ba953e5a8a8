// Chat rules: slow mode, entitled-only chat, blocked terms and the chat ingest cap, sent as one
// change of only the fields edited (a moderator may not set the cap, an SRE only the cap: each
// sends what their role may); fans on every shard follow within a second.

import { useState, type FormEvent } from 'react';
import {
  CHAT_CAP_MAX_PER_SEC,
  CHAT_CAP_MIN_PER_SEC,
  SLOW_MODE_MAX_S,
  SLOW_MODE_MIN_S,
} from '@fanfare/protocol';
import type { Call, ConsoleEvent } from './control-api.js';

export interface RulesPanelProps {
  call: Call;
  event: ConsoleEvent;
  onChanged(): Promise<void>;
}

const orNull = (text: string) => (text.trim() === '' ? null : Number(text));
const termsOf = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** The rules the form holds that differ from the event's, as a `PUT .../chat-rules` body. */
export function rulesChange(
  event: ConsoleEvent,
  form: { slow: string; entitledOnly: boolean; terms: string; cap: string },
): Record<string, unknown> {
  const change: Record<string, unknown> = {};
  const slowModeS = orNull(form.slow);
  if (slowModeS !== event.slowModeS) change.slowModeS = slowModeS;
  if (form.entitledOnly !== event.entitledOnlyChat) change.entitledOnlyChat = form.entitledOnly;
  const blockedTerms = termsOf(form.terms);
  if (blockedTerms.join('\n') !== event.blockedTerms.join('\n')) change.blockedTerms = blockedTerms;
  const chatCapPerSec = orNull(form.cap);
  if (chatCapPerSec !== event.chatCapPerSec) change.chatCapPerSec = chatCapPerSec;
  return change;
}

export function RulesPanel({ call, event, onChanged }: RulesPanelProps) {
  const [slow, setSlow] = useState(event.slowModeS === null ? '' : String(event.slowModeS));
  const [entitledOnly, setEntitledOnly] = useState(event.entitledOnlyChat);
  const [terms, setTerms] = useState(event.blockedTerms.join(', '));
  const [cap, setCap] = useState(event.chatCapPerSec === null ? '' : String(event.chatCapPerSec));
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setStatus(undefined);
    const change = rulesChange(event, { slow, entitledOnly, terms, cap });
    if (Object.keys(change).length === 0) return setStatus('Nothing changed');
    try {
      await call('PUT', `/v1/events/${event.id}/chat-rules`, change);
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
      <label>
        Chat cap (messages per second across the event, {CHAT_CAP_MIN_PER_SEC}-
        {CHAT_CAP_MAX_PER_SEC.toLocaleString('en')}; empty for the default)
        <input
          type="number"
          min={CHAT_CAP_MIN_PER_SEC}
          max={CHAT_CAP_MAX_PER_SEC}
          value={cap}
          onChange={(e) => setCap(e.target.value)}
        />
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
