// The gateway's watch-party rules in miniature, answering over fake sockets: create, join, leave,
// chat, host commands with their compare-and-set on the timeline version, readiness and host
// hand-over, the readiness gate (a play while someone buffers waits; a seek while playing pauses
// behind it; it opens with every member ready, at now + START_LEAD_MS), and pings answered with this server's clock (offset from the test's clock, after a
// configurable delay each way). Several clients, each on its own FakeServer, may share one.

import type {
  Author,
  ClientMessage,
  ErrorCode,
  PartyCommand,
  PartyMember,
  PartyView,
  ServerMessage,
  Timeline,
} from '@fanfare/protocol';
import { READY_WAIT_MS, START_LEAD_MS, positionAt } from '@fanfare/protocol';
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
  /** Answer no host command (an answer lost on the way), to test the client's bound. */
  silentCommands?: boolean;
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
        const before = party.view;
        this.#command(party, m.command);
        // As the gateway does: the host gets the whole view by ref, whatever changed (even
        // nothing, or only the gate); the others the view when more than the timeline changed,
        // then the timeline when it moved.
        if (this.#o.silentCommands !== true)
          socket.deliver({ type: 'party', party: party.view, ...answer });
        this.#fanOut(party, before, user.id);
        return;
      }
      case 'party.ready': {
        if (!party) return;
        const before = party.view;
        const members = party.view.members.map((x) =>
          x.userId === user.id ? { ...x, readiness: m.readiness } : x,
        );
        this.#change(party, { members });
        this.#settle(party);
        return this.#fanOut(party, before);
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

  /** The gateway's `applyCommand`, in miniature: the gate included. */
  #command(party: Party, c: PartyCommand): void {
    const t = party.view.timeline;
    const gated = party.view.gate !== null;
    const now = this.serverNow();
    const position = positionAt(t, Math.max(now, t.at));
    switch (c.op) {
      case 'play':
        if (!t.paused || gated) return;
        if (allReady(party.view))
          this.#moveTimeline(party, { paused: false, at: now + START_LEAD_MS });
        else this.#gate(party);
        return;
      case 'pause':
        if (t.paused && !gated) return;
        this.#change(party, { gate: null });
        if (!t.paused) this.#moveTimeline(party, { paused: true, position });
        return;
      case 'seek':
        this.#moveTimeline(party, { position: c.position, paused: true });
        this.#rebuffer(party);
        if (!t.paused || gated) this.#gate(party);
        return;
      case 'rate':
        if (t.rate === c.rate) return;
        if (t.paused) this.#moveTimeline(party, { rate: c.rate, at: t.at });
        else this.#moveTimeline(party, { rate: c.rate, position, at: Math.max(now, t.at) });
        return;
      case 'media':
        this.#moveTimeline(party, { media: c.media, position: 0, paused: true });
        this.#rebuffer(party);
        this.#change(party, { gate: null });
        return;
    }
  }

  #rebuffer(party: Party): void {
    const members = party.view.members.map((x) => ({ ...x, readiness: 'buffering' as const }));
    this.#change(party, { members });
  }

  #gate(party: Party): void {
    const waitingFor = party.view.members.filter((x) => x.readiness !== 'ready');
    const until = this.serverNow() + READY_WAIT_MS;
    this.#change(party, { gate: { until, waitingFor: waitingFor.map((x) => x.userId) } });
  }

  /** Opens the gate once every member is ready (the fake has no clock-driven timeout). */
  #settle(party: Party): void {
    const gate = party.view.gate;
    if (gate === null) return;
    if (!allReady(party.view)) {
      const waitingFor = party.view.members.filter((x) => x.readiness !== 'ready');
      party.view = {
        ...party.view,
        gate: { ...gate, waitingFor: waitingFor.map((x) => x.userId) },
      };
      return;
    }
    this.#change(party, { gate: null });
    this.#moveTimeline(party, { paused: false, at: this.serverNow() + START_LEAD_MS });
  }

  /** What changed since `before` to every member but `except`: the view, then the timeline. */
  #fanOut(party: Party, before: PartyView, except?: string): void {
    const timelineMoved = party.view.timeline.version !== before.timeline.version;
    const viewChanged =
      JSON.stringify({ ...party.view, timeline: null, version: 0 }) !==
      JSON.stringify({ ...before, timeline: null, version: 0 });
    for (const [userId, other] of party.sockets) {
      if (userId === except) continue;
      if (viewChanged) other.deliver({ type: 'party', party: party.view });
      if (timelineMoved) other.deliver(this.#timelineFrame(party));
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

function allReady(view: PartyView): boolean {
  return view.members.every((x) => !x.online || x.readiness === 'ready');
}

function member(user: Author, now: number): PartyMember {
  return { userId: user.id, name: user.name, joinedAt: now, readiness: 'buffering', online: true };
}
