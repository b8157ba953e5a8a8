// The client's copy of the party it is in. The view and its timeline are two versioned values
// that reach the client by different frames (`party` carries both, `party.timeline` only the
// timeline, heartbeats repeat it, a reconnect re-sends it), so each keeps its own highest
// version: the held view always carries the newest timeline seen, whichever frame brought it.

import { isNewer, type PartyView, type Timeline } from '@fanfare/protocol';

/** What one frame changed: the new values, or undefined for what it left as it was. */
export interface PartyChange {
  party: PartyView | undefined;
  timeline: Timeline | undefined;
}

export class PartyMirror {
  #party: PartyView | undefined;
  /** Parties this fan left: a late frame of one of them must not bring it back. */
  #left = new Set<string>();

  /** The party this fan is in, at the highest version seen, with the newest timeline seen. */
  get party(): PartyView | undefined {
    return this.#party;
  }

  /**
   * Applies a `party` frame's view. A view of another party replaces the held one (the fan
   * joined another); a view of the held party is kept when its version is higher, and its
   * timeline when that is newer, each on its own. `answer`: the frame answers this fan's own
   * create or join, so it stands even for a party the fan left before (it joined again).
   */
  applyParty(view: PartyView, answer = false): PartyChange {
    if (answer) this.#left.delete(view.id);
    else if (this.#left.has(view.id)) return { party: undefined, timeline: undefined };
    const held = this.#party;
    if (held === undefined || held.id !== view.id) {
      this.#party = view;
      return { party: view, timeline: view.timeline };
    }
    const timeline = isNewer(view.timeline, held.timeline) ? view.timeline : undefined;
    if (view.version > held.version) {
      this.#party = { ...view, timeline: timeline ?? held.timeline };
      return { party: this.#party, timeline };
    }
    if (timeline) this.#party = { ...held, timeline };
    return { party: undefined, timeline };
  }

  /** Applies a `party.timeline` frame; returns the timeline when it is newer than the held one. */
  applyTimeline(partyId: string, timeline: Timeline): Timeline | undefined {
    const held = this.#party;
    if (held === undefined || held.id !== partyId || !isNewer(timeline, held.timeline)) {
      return undefined;
    }
    this.#party = { ...held, timeline };
    return timeline;
  }

  /** The fan left `partyId` (or it is gone); true when it was the held party. */
  leave(partyId: string): boolean {
    this.#left.add(partyId);
    if (this.#party?.id !== partyId) return false;
    this.#party = undefined;
    return true;
  }
}
