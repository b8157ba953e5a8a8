// A shard's copy of one watch party: a VersionedMirror of `whole` notices (every party notice
// carries the whole record) over the PartyStore, without a timer of its own: the PartyHub's tick
// runs its version check, so one round per second tends every party here.

import type { Clock, PartyRecord, PartyStore } from '@fanfare/fanout';
import type { OutageLog } from './outage-log.js';
import { VersionedMirror, type Versioned } from './versioned-mirror.js';

export function versionedParty(party: PartyRecord): Versioned<PartyRecord> {
  return { version: party.version, value: party };
}

export interface PartyMirrorDeps {
  store: PartyStore;
  clock: Clock;
  /** Shared by the shard's parties: one warning per outage. */
  outage: OutageLog;
}

/** The mirror of `party`, starting from the record given. `gone`: the store no longer has it. */
export function partyMirror(
  deps: PartyMirrorDeps,
  party: PartyRecord,
  on: { changed: (before: PartyRecord, after: PartyRecord) => void; gone: () => void },
): VersionedMirror<PartyRecord> {
  const { store, clock, outage } = deps;
  const { eventId, id } = party;
  return new VersionedMirror<PartyRecord>({
    source: {
      version: () => store.version(eventId, id),
      read: async () => {
        const fresh = await store.get(eventId, id);
        return fresh && versionedParty(fresh);
      },
    },
    initial: versionedParty(party),
    notices: 'whole',
    clock,
    outage,
    onChange: (current, previous) => on.changed(previous.value, current.value),
    onGone: on.gone,
  });
}
