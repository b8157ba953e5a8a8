// The event lifecycle as data: which states exist and which moves between them are legal. Pure,
// with no database in sight, so the API can validate a request (and explain a refusal) before it
// touches storage; EventRepo.transition enforces the same table atomically.
//
//   draft ⇄ scheduled ──▶ live ──▶ ended ──▶ archived
//     └──────────────────▶ ▲
//
// Going back from scheduled to draft is allowed (an event is unscheduled to be edited in peace);
// nothing ever goes back from live, ended or archived: fans saw it happen.

import { EVENT_STATES, type EventState } from '@fanfare/protocol';

// The states are the protocol's: fans see them in the stage.
export { EVENT_STATES, type EventState };

/** For each state, the states it may move to. `archived` is final. */
export const EVENT_TRANSITIONS: Readonly<Record<EventState, readonly EventState[]>> = {
  draft: ['scheduled', 'live'],
  scheduled: ['draft', 'live'],
  live: ['ended'],
  ended: ['archived'],
  archived: [],
};

export function isEventState(value: unknown): value is EventState {
  return typeof value === 'string' && (EVENT_STATES as readonly string[]).includes(value);
}

/** Whether the lifecycle allows `from` → `to`. Staying in the same state is not a move. */
export function canTransition(from: EventState, to: EventState): boolean {
  return EVENT_TRANSITIONS[from].includes(to);
}
