// The gateway's watch-party rules in miniature, answering over fake sockets: create, join, leave,
// chat, host commands with their compare-and-set on the timeline version, readiness and host
// hand-over, and pings answered with this server's clock (offset from the test's clock, after a
// configurable delay each way). Several clients, each on its own FakeServer, may share one.

import type {
  Author,
  ClientMessage,
  ErrorCode,
  PartyMember,
  PartyView,
  ServerMessage,
  Timeline,
} from '@fanfare/protocol';
import { positionAt } from '@fanfare/protocol';
import type { ManualClock } from '@fanfare/fanout/testing';
import type { FakeServer, FakeSocket } from './fake-server.js';

export interface FakePartyOptions {
  clock: ManualClock;
  /** Server clock minus the test clock, ms. */
  offsetMs?: number;
  /** One-way delay of a ping to the server, ms (drawn per ping). Party frames have none. */
  upMs?: () => number;
  /** One-way delay of a pong back, ms (drawn per pong). */
  downMs?: () => number;
}

interface Party {
  view: PartyView;
  sockets: Map<string, FakeSocket>;
}

export class FakeParty {
  readonly #o: FakePartyOptions;
  readonly #parties = new Map<string, Party>();
  #nextId = 1;

  constructor(options: FakePartyOptions) {
    this.#o = options;
  }

  /** The server's clock now. */
  serverNow(): number {
    return this.#o.clock.now() + (this.#o.offsetMs ?? 0);
  }

  /** Answers on every socket `server` opens from now on, as `user`. */
  serve(server: FakeServer, user: Author): void {
    server.responder = (socket) => (message) => this.#handle(socket, user, message);
  }

  /** The party with this code, as the server holds it. */
  party(code: string): PartyView | undefined {
    return this.#parties.get(code)?.view;
  }

  /** Server side: the party changes without a request (say, a gate opening); all hear of it. */
  setTimeline(code: string, change: Partial<Timeline>): Timeline {
    const party = this.#parties.get(code)!;
    this.#moveTimeline(party, change);
    this.#broadcastTimeline(party);
    return party.view.timeline;
  }

  /** Re-attaches `user` on a new socket after a reconnect: sends the party frame, as the gateway does. */
  reattach(socket: FakeSocket, user: Author): void {
    const party = this.#partyOf(user.id);
    if (!party) return;
    party.sockets.set(user.id, socket);
    socket.deliver({ type: 'party', party: party.view });
  }

  #handle(socket: FakeSocket, user: Author, m: ClientMessage): void {
    const ref = 'ref' in m ? m.ref : undefined;
    const answer = ref !== undefined ? { ref } : {};
    const fail = (code: ErrorCode) =>
      socket.deliver({ type: 'error', code, message: code, ...answer });
    const party = this.#partyOf(user.id);
    switch (m.type) {
      case 'ping':
        return this.#pong(socket, ref, m.t);
      case 'party.create': {
        if (party) return fail('already_in_party');
        const code = `CODE${String(this.#nextId).padStart(4, '0')}`;
        const now = this.serverNow();
        const view: PartyView = {
          id: `party${this.#nextId++}`,
          eventId: 'demo',
          code,
          hostId: user.id,
          maxSize: m.maxSize ?? 50,
          members: [member(user, now)],
          timeline: { media: m.media, position: 0, rate: 1, paused: true, at: now, version: 1 },
          gate: null,
          version: 1,
        };
        this.#parties.set(code, { view, sockets: new Map([[user.id, socket]]) });
        return socket.deliver({ type: 'party', party: view, ...answer });
      }
      case 'party.join': {
        if (party) return fail('already_in_party');
        const target = this.#parties.get(m.code);
        if (!target) return fail('party_not_found');
        if (target.view.members.length >= target.view.maxSize) return fail('party_full');
        target.sockets.set(user.id, socket);
        this.#change(target, { members: [...target.view.members, member(user, this.serverNow())] });
        return this.#broadcastParty(target, user.id, ref);
      }
      case 'party.leave': {
        if (!party) return fail('not_in_party');
        party.sockets.delete(user.id);
        const members = party.view.members.filter((x) => x.userId !== user.id);
        const hostId = party.view.hostId === user.id ? members[0]?.userId : party.view.hostId;
        this.#change(party, { members, hostId: hostId ?? user.id });
        socket.deliver({
          type: 'party.left',
          partyId: party.view.id,
          reason: 'left',
          ...answer,
        });
        return this.#broadcastParty(party);
      }
      case 'party.chat': {
        if (!party) return fail('not_in_party');
        const message = {
          id: `pc${this.#nextId++}`,
          partyId: party.view.id,
          ts: this.serverNow(),
          author: user,
          text: m.text,
        };
        return this.#send(party, { type: 'party.chat', message });
      }
      case 'party.command': {
        if (!party) return fail('not_in_party');
        if (party.view.hostId !== user.id) return fail('not_host');
        if (m.version !== party.view.timeline.version) return fail('timeline_conflict');
        const c = m.command;
        const now = this.serverNow();
        const position = positionAt(party.view.timeline, now);
        if (c.op === 'play') this.#moveTimeline(party, { paused: false, position });
        else if (c.op === 'pause') this.#moveTimeline(party, { paused: true, position });
        else if (c.op === 'seek') this.#moveTimeline(party, { position: c.position });
        else if (c.op === 'rate') this.#moveTimeline(party, { rate: c.rate, position });
        else this.#moveTimeline(party, { media: c.media, position: 0, paused: true });
        // Players must rebuffer after a seek or new media (the gateway's gate is left out here).
        const rebuffer = c.op === 'seek' || c.op === 'media';
        if (rebuffer) {
          const members = party.view.members.map((x) => ({
            ...x,
            readiness: 'buffering' as const,
          }));
          this.#change(party, { members });
        }
        // As the gateway does: the host gets the whole view by ref; the others the view when
        // more than the timeline changed, then the timeline.
        socket.deliver({ type: 'party', party: party.view, ...answer });
        for (const [userId, other] of party.sockets) {
          if (userId === user.id) continue;
          if (rebuffer) other.deliver({ type: 'party', party: party.view });
          other.deliver(this.#timelineFrame(party));
        }
        return;
      }
      case 'party.ready': {
        if (!party) return;
        const members = party.view.members.map((x) =>
          x.userId === user.id ? { ...x, readiness: m.readiness } : x,
        );
        this.#change(party, { members });
        return this.#broadcastParty(party);
      }
      case 'party.host': {
        if (!party) return fail('not_in_party');
        if (party.view.hostId !== user.id) return fail('not_host');
        this.#change(party, { hostId: m.userId });
        return this.#broadcastParty(party, user.id, ref);
      }
      default:
        return;
    }
  }

  #pong(socket: FakeSocket, ref: string | undefined, t: number | undefined): void {
    const { clock, upMs = () => 0, downMs = () => 0 } = this.#o;
    const up = upMs();
    const down = downMs();
    clock.setTimeout(() => {
      const serverTime = this.serverNow();
      clock.setTimeout(
        () =>
          socket.deliver({
            type: 'pong',
            serverTime,
            ...(ref !== undefined ? { ref } : {}),
            ...(t !== undefined ? { t } : {}),
          }),
        down,
      );
    }, up);
  }

  #partyOf(userId: string): Party | undefined {
    for (const party of this.#parties.values()) {
      if (party.view.members.some((x) => x.userId === userId)) return party;
    }
    return undefined;
  }

  #change(party: Party, change: Partial<PartyView>): void {
    party.view = { ...party.view, ...change, version: party.view.version + 1 };
  }

  #moveTimeline(party: Party, change: Partial<Timeline>): void {
    const timeline = party.view.timeline;
    const next = { ...timeline, at: this.serverNow(), ...change, version: timeline.version + 1 };
    this.#change(party, { timeline: next });
  }

  #timelineFrame(party: Party): ServerMessage {
    return {
      type: 'party.timeline',
      partyId: party.view.id,
      timeline: party.view.timeline,
      serverTime: this.serverNow(),
    };
  }

  #broadcastTimeline(party: Party): void {
    this.#send(party, this.#timelineFrame(party));
  }

  /** The view to every member; `ref` only to `to` (the member whose request it answers). */
  #broadcastParty(party: Party, to?: string, ref?: string): void {
    for (const [userId, socket] of party.sockets) {
      const answer = userId === to && ref !== undefined ? { ref } : {};
      socket.deliver({ type: 'party', party: party.view, ...answer });
    }
  }

  #send(party: Party, message: ServerMessage): void {
    for (const socket of party.sockets.values()) socket.deliver(message);
  }
}

function member(user: Author, now: number): PartyMember {
  return { userId: user.id, name: user.name, joinedAt: now, readiness: 'buffering', online: true };
}
