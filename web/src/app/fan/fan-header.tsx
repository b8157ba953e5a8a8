// The fan page's header: the event's title and state, viewers now, and the connection as the
// fan should understand it (joining, live, reconnecting, ended).

import { useEffect, useState } from 'react';
import { useClientEvent, useConnection, usePresence, useStage } from '@fanfare/react';
import { useNow } from '../use-now.js';

function connectionText(state: string, name: string | undefined, retryInS: number | undefined) {
  switch (state) {
    case 'open':
      return `Live as ${name ?? 'you'}`;
    case 'waiting':
      return retryInS !== undefined ? `Reconnecting in ${retryInS} s…` : 'Reconnecting…';
    case 'closed':
      return 'Disconnected';
    default:
      return 'Connecting…';
  }
}

export function FanHeader({ eventId }: { eventId: string }) {
  const stage = useStage();
  const viewers = usePresence();
  const { state, user } = useConnection();
  const [retryAt, setRetryAt] = useState<number>();
  useClientEvent('reconnecting', ({ delayMs }) => setRetryAt(Date.now() + delayMs));
  useEffect(() => {
    if (state === 'open') setRetryAt(undefined);
  }, [state]);
  const now = useNow(retryAt !== undefined, 500);
  const retryInS =
    retryAt === undefined ? undefined : Math.max(0, Math.ceil((retryAt - now) / 1000));
  return (
    <header className="fan-header">
      <div className="title">
        <h1>{stage?.title ?? eventId}</h1>
        {stage && <span className={`badge state-${stage.state}`}>{stage.state}</span>}
      </div>
      <div className="meta">
        <span className="viewers" aria-label="Viewers">
          {viewers === undefined ? '–' : `${viewers} ${viewers === 1 ? 'viewer' : 'viewers'}`}
        </span>
        <span className={`connection conn-${state}`} role="status">
          {connectionText(state, user?.name, retryInS)}
        </span>
      </div>
    </header>
  );
}
