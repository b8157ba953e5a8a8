// The event's audit log, newest first (`GET /v1/events/{id}/audit`): who did what, to whom, why
// and when. Fetched on open, every AUDIT_REFRESH_MS while shown, and on Refresh; older pages on
// demand. Text only, like the chat.

import { useCallback, useEffect, useState } from 'react';
import { refusedForRole, type Call } from './control-api.js';

/** How often the open log is fetched again, ms (staff actions are rare; no push channel). */
export const AUDIT_REFRESH_MS = 5000;
const AUDIT_PAGE = 20;

export interface AuditEntry {
  id: number;
  actorId: string;
  actorRole: string;
  action: string;
  target: string | null;
  reason: string | null;
  at: string;
}

interface AuditPage {
  entries: AuditEntry[];
  next?: number;
}

export function AuditPanel({ call, eventId }: { call: Call; eventId: string }) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number>();
  const [error, setError] = useState<string>();
  const [forbidden, setForbidden] = useState(false);
  const path = `/v1/events/${encodeURIComponent(eventId)}/audit?limit=${AUDIT_PAGE}`;

  const refresh = useCallback(async () => {
    try {
      const page = await call<AuditPage>('GET', path);
      // The newest page replaces the head; older pages already loaded stay below it.
      setEntries((held) => {
        const oldest = page.entries.at(-1)?.id ?? Infinity;
        return [...page.entries, ...held.filter((e) => e.id < oldest)];
      });
      setNext((n) => n ?? page.next);
      setError(undefined);
    } catch (err) {
      if (refusedForRole(err)) setForbidden(true);
      else setError(err instanceof Error ? err.message : String(err));
    }
  }, [call, path]);

  useEffect(() => {
    if (forbidden) return;
    void refresh();
    const timer = setInterval(() => void refresh(), AUDIT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh, forbidden]);

  if (forbidden) {
    return (
      <section className="panel" aria-label="Audit log">
        <h2>Audit log</h2>
        <p className="notice">
          Producers and moderators read the audit log; this credential may not.
        </p>
      </section>
    );
  }

  const older = async () => {
    if (next === undefined) return;
    try {
      const page = await call<AuditPage>('GET', `${path}&beforeId=${next}`);
      setEntries((held) => [...held, ...page.entries.filter((e) => e.id < next)]);
      setNext(page.next);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="panel" aria-label="Audit log">
      <h2>
        Audit log
        <button type="button" className="secondary" onClick={() => void refresh()}>
          Refresh
        </button>
      </h2>
      {entries.length === 0 ? (
        <p className="notice">No staff action yet.</p>
      ) : (
        <ol className="audit" aria-label="Audit entries">
          {entries.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>{' '}
              <b className="audit-action">{e.action}</b> by {e.actorId} ({e.actorRole})
              {e.target && <> · {e.target}</>}
              {e.reason && <> · “{e.reason}”</>}
            </li>
          ))}
        </ol>
      )}
      {next !== undefined && (
        <button type="button" className="secondary" onClick={() => void older()}>
          Older entries
        </button>
      )}
      {error && (
        <p className="refusal" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
