// The producer console: sign in with a producer credential (staff token or API key, one field),
// then the events (list, create, schedule, go live, end) and, for the chosen event, its polls,
// its live chat under moderation and its chat rules. The credential stays in this tab only
// (sessionStorage), never in the address.

import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ControlApiError, controlApi, type Call, type ConsoleEvent } from './control-api.js';
import { CallerContext, type Caller } from './caller.js';
import { EventControl } from './event-control.js';
import { EventsPanel } from './events-panel.js';
import { SrePanel } from './sre-panel.js';

const CREDENTIAL_KEY = 'fanfare.console.credential';

function SignIn({ onSignIn }: { onSignIn: (credential: string) => Promise<string | undefined> }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(await onSignIn(value.trim()));
    setBusy(false);
  };
  return (
    <main className="console">
      <form className="panel sign-in form-grid" onSubmit={(e) => void submit(e)}>
        <h1>Fanfare console</h1>
        <label>
          Producer token
          <input
            type="password"
            value={value}
            autoComplete="off"
            onChange={(e) => setValue(e.target.value)}
            aria-describedby="sign-in-help"
          />
        </label>
        <p id="sign-in-help" className="notice">
          A producer token (printed by <code>pnpm start</code>) or an API key (<code>ffk_…</code>).
        </p>
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || value.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}

export default function ConsolePage() {
  const [credential, setCredential] = useState(() => sessionStorage.getItem(CREDENTIAL_KEY));
  const [events, setEvents] = useState<ConsoleEvent[]>([]);
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();
  const [tab, setTab] = useState<'events' | 'sre'>('events');
  const [caller, setCaller] = useState<Caller>();
  const call: Call | undefined = useMemo(
    () => (credential ? controlApi(credential) : undefined),
    [credential],
  );

  const refresh = useCallback(async (using: Call) => {
    const { events: list } = await using<{ events: ConsoleEvent[] }>('GET', '/v1/events?limit=100');
    setEvents(list);
  }, []);

  useEffect(() => {
    if (!credential) return;
    // Who signed in: the controls shown follow the role (an API without the route: all shown).
    controlApi(credential)<Caller>('GET', '/v1/me').then(setCaller, () => setCaller(undefined));
    refresh(controlApi(credential)).catch((err: unknown) => {
      if (err instanceof ControlApiError && err.status === 401) signOut();
      else setError(err instanceof Error ? err.message : String(err));
    });
  }, [credential, refresh]);

  const signIn = async (value: string): Promise<string | undefined> => {
    try {
      await refresh(controlApi(value));
    } catch (err) {
      if (err instanceof ControlApiError && (err.status === 401 || err.status === 403)) {
        return 'That credential was refused: check the producer token or API key.';
      }
      return err instanceof Error ? err.message : String(err);
    }
    sessionStorage.setItem(CREDENTIAL_KEY, value);
    setCredential(value);
    return undefined;
  };

  function signOut() {
    sessionStorage.removeItem(CREDENTIAL_KEY);
    setCredential(null);
    setEvents([]);
    setSelected(undefined);
    setCaller(undefined);
  }

  if (!call) return <SignIn onSignIn={signIn} />;
  const event = events.find((e) => e.id === selected);
  return (
    <CallerContext.Provider value={caller}>
      <div className="console">
        <header className="console-header">
          <h1>Fanfare console</h1>
          <nav aria-label="Console views" className="row">
            <button
              type="button"
              className={tab === 'events' ? '' : 'secondary'}
              aria-pressed={tab === 'events'}
              onClick={() => setTab('events')}
            >
              Events
            </button>
            <button
              type="button"
              className={tab === 'sre' ? '' : 'secondary'}
              aria-pressed={tab === 'sre'}
              onClick={() => setTab('sre')}
            >
              SRE
            </button>
          </nav>
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </header>
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        <div className="console-grid">
          <EventsPanel
            call={call}
            events={events}
            selected={selected}
            onSelect={setSelected}
            onChanged={() => refresh(call)}
          />
          {tab === 'sre' ? (
            <SrePanel call={call} eventId={event?.id} />
          ) : event ? (
            <EventControl
              key={event.id}
              call={call}
              event={event}
              onChanged={() => refresh(call)}
            />
          ) : (
            <section className="panel">
              <p className="notice">Choose an event, or create one.</p>
            </section>
          )}
        </div>
      </div>
    </CallerContext.Provider>
  );
}
