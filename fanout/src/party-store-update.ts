// The read-apply-compare-and-set loop behind `PartyStore.update`, written once over the seam's
// own get/replace/remove so every implementation retries the same way and passes the same
// contract. Retrying is safe because the update function is pure: a lost race re-reads the newer
// record and applies the function to it again; nothing is written twice.

import type {
  MembershipChange,
  PartyRecord,
  PartyStore,
  PartyUpdateFn,
  PartyUpdateResult,
} from './party-store.js';

/** An update lost the compare-and-set race `attempts` times in a row and gave up. */
export class PartyUpdateConflictError extends Error {
  override readonly name = 'PartyUpdateConflictError';
  readonly code = 'party_busy';
  constructor(
    readonly eventId: string,
    readonly partyId: string,
    readonly attempts: number,
  ) {
    super(`party ${eventId}/${partyId} changed under ${attempts} updates in a row; gave up`);
  }
}

/** The index change from `before` to `after`: users who joined and users who left. */
export function membershipChange(before: PartyRecord, after: PartyRecord): MembershipChange {
  const had = new Set(before.members.map((m) => m.userId));
  const has = new Set(after.members.map((m) => m.userId));
  return {
    joined: [...has].filter((u) => !had.has(u)),
    left: [...had].filter((u) => !has.has(u)),
  };
}

type CasStore = Pick<PartyStore, 'get' | 'replace' | 'remove'>;

/** `PartyStore.update` over a store's get, replace and remove (see its contract). */
export async function updateParty<F extends { ok: false }>(
  store: CasStore,
  eventId: string,
  partyId: string,
  fn: PartyUpdateFn<F>,
  maxAttempts: number,
): Promise<PartyUpdateResult<F>> {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive integer, not ${maxAttempts}`);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await store.get(eventId, partyId);
    if (!current) return { status: 'not_found' };
    const out = fn(current);
    if (!out.ok) return { status: 'refused', refusal: out };
    if (out.party === current) return { status: 'unchanged', party: current };
    if (out.party === null) {
      if (await store.remove(eventId, partyId, current.version))
        return { status: 'removed', previous: current };
      continue;
    }
    const next: PartyRecord = { ...out.party, version: current.version + 1 };
    if (await store.replace(next, current.version, membershipChange(current, next)))
      return { status: 'replaced', party: next, previous: current };
  }
  throw new PartyUpdateConflictError(eventId, partyId, maxAttempts);
}
