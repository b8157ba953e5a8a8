// Who gets a WebRTC seat: the rule as plain data and functions, apart from the stores and the
// route so each case is a unit test. A seat is a budget (an SFU viewer costs three to five times
// an LL-HLS one), and part of it is kept for viewers with priority (staff and ticket holders):
// others may fill the budget only up to what that reserve leaves.

import type { Entitlement, Role } from '@fanfare/protocol';

/** The share of an event's seats kept for priority viewers (rounded down: 10 % of 10 is 1). */
export const PRIORITY_RESERVE_FRACTION = 0.1;
/** A seat taken at the join lasts this long unless LiveKit reports the viewer connected, ms. */
export const SEAT_PENDING_LEASE_MS = 60_000;
/**
 * A connected viewer's seat lasts this long after LiveKit's participant_joined, ms: long enough
 * for a show; participant_left gives it back at once, this bounds a lost webhook's cost.
 */
export const SEAT_CONNECTED_LEASE_MS = 6 * 60 * 60 * 1000;

/** Staff and ticket holders get the reserved seats too. */
export function hasSeatPriority(role: Role, ent: readonly Entitlement[]): boolean {
  return role !== 'fan' || ent.includes('ticketed');
}

/** How many seats a viewer may see taken and still get one: the limit of their claim. */
export function seatLimit(budget: number, priority: boolean): number {
  if (priority) return budget;
  return budget - Math.floor(budget * PRIORITY_RESERVE_FRACTION);
}

/** Why a join is answered with LL-HLS rather than WebRTC. */
export type LlHlsReason = 'tier-off' | 'event-off' | 'not-asked' | 'no-seat';

export type TierPlan = { claim: true; limit: number } | { claim: false; reason: LlHlsReason };

/**
 * Whether to try for a seat: the tier configured (LiveKit set), the event's budget above zero
 * and the viewer asking for `webrtc`. The claim itself decides `no-seat`.
 */
export function planTier(input: {
  tierOn: boolean;
  budget: number;
  asked: boolean;
  priority: boolean;
}): TierPlan {
  if (!input.tierOn) return { claim: false, reason: 'tier-off' };
  if (input.budget <= 0) return { claim: false, reason: 'event-off' };
  if (!input.asked) return { claim: false, reason: 'not-asked' };
  return { claim: true, limit: seatLimit(input.budget, input.priority) };
}
