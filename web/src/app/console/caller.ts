// Who is signed in to the console (`GET /v1/me`: role and event scope) and which controls that
// role may use. The API refuses whatever a role may not do (403 `forbidden`) in any case; the
// console shows each role only its own controls, so a moderator is not offered "Go live" to have
// it refused. The table mirrors the roles of the API's routes (docs/api.md).

import { createContext, useContext } from 'react';

export type StaffRole = 'producer' | 'moderator' | 'sre';

/** The signed-in credential, as `GET /v1/me` answers it. */
export interface Caller {
  id: string;
  role: StaffRole;
  name: string;
  /** The one event the credential may act on; null: every event. */
  eventId: string | null;
  via: 'token' | 'api_key';
}

/** The roles each console control needs: the API route's own list. */
export const CONTROL_ROLES = {
  /** Create an event; schedule, go live, end, archive (`POST /v1/events`, `…/state`). */
  manageEvents: ['producer'],
  /** Make or rotate the stream key (`POST …/stream`). */
  streamKey: ['producer'],
  /** Open and close polls (`POST …/polls`, `…/close`). */
  managePolls: ['producer'],
  /** Delete, pin, time out, ban (`…/messages`, `…/sanctions`). */
  moderate: ['moderator', 'producer'],
  /** Pre-warm (`POST …/prewarm`). */
  prewarm: ['sre', 'producer'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Control = keyof typeof CONTROL_ROLES;

/**
 * Whether `caller` may use `control`. Unknown caller (an API without `/v1/me`, or the answer not
 * in yet): every control shows, and the API's refusal says the rest.
 */
export function may(caller: Caller | undefined, control: Control): boolean {
  return (
    caller === undefined || (CONTROL_ROLES[control] as readonly StaffRole[]).includes(caller.role)
  );
}

export const CallerContext = createContext<Caller | undefined>(undefined);

/** Whether the signed-in caller may use `control` (see `may`). */
export function useMay(control: Control): boolean {
  return may(useContext(CallerContext), control);
}
