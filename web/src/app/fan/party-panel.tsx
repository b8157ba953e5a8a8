// Watch party: create one or join by code, then the code to share, the members and whether each
// is ready, and the host's play and pause. Folded away until the fan opens it.

import { useState, type FormEvent } from 'react';
import { useWatchParty } from '@fanfare/react';

export function PartyPanel() {
  const party = useWatchParty();
  const [code, setCode] = useState('');
  const join = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) void party.join(code.trim());
  };
  return (
    <details className="party">
      <summary>Watch party</summary>
      {party.view ? (
        <div>
          <p>
            Invite code <code className="party-code">{party.view.code}</code>
            {party.isHost && ' · you host'}
          </p>
          <ul className="members" aria-label="Party members">
            {party.view.members.map((m) => (
              <li key={m.userId}>
                {m.name} <small>{m.online ? m.readiness : 'offline'}</small>
              </li>
            ))}
          </ul>
          <div className="row">
            {party.isHost && (
              <>
                <button type="button" onClick={() => void party.command({ op: 'play' })}>
                  Play
                </button>
                <button type="button" onClick={() => void party.command({ op: 'pause' })}>
                  Pause
                </button>
              </>
            )}
            <button type="button" onClick={() => void party.leave()}>
              Leave party
            </button>
          </div>
        </div>
      ) : (
        <div className="row">
          <button type="button" onClick={() => void party.create('live')}>
            Start a party
          </button>
          <form onSubmit={join} className="row">
            <label htmlFor="party-code">Invite code</label>
            <input id="party-code" value={code} onChange={(e) => setCode(e.target.value)} />
            <button type="submit">Join</button>
          </form>
        </div>
      )}
      {party.error && <p className="refusal">{party.error}</p>}
    </details>
  );
}
