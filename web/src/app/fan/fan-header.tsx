// The fan page's header: the event's title and state, viewers now, and the connection as the
// fan should understand it (joining, live, reconnecting, ended).

import { useEffect, useState } from 'react';
import { useClientEvent, useConnection, usePresence, useStage } from '@fanfare/react';
import { JoinRefusedError } from '@fanfare/sdk';
import { useNow } from '../use-now.js';

/** Why the API refused to let this fan in, in a fan's words (the SDK keeps retrying meanwhile). */
const JOIN_REFUSALS: Record<string, string> = {
  event_not_found: 'No such event (or it has not opened yet)',
  event_ended: 'This event has ended',
  banned: 'A moderator banned you from this event',
  not_entitled: 'This event is for ticket holders',
  country_not_allowed: 'This event is not available in your country',
};

function connectionText(
  state: string,
  name: string | undefined,
  retryInS: number | undefined,
  refused: string | undefined,
) {
  if (refused !== undefined && state !== 'open') return refused;
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
  const [refused, setRefused] = useState<string>();
  useClientEvent('reconnecting', ({ delayMs, cause }) => {
    setRetryAt(Date.now() + delayMs);
    setRefused(
      cause instanceof JoinRefusedError && cause.code !== undefined
        ? JOIN_REFUSALS[cause.code]
        : undefined,
    );
  });
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
          {connectionText(state, user?.name, retryInS, refused)}
        </span>
      </div>
    </header>
  );
}
