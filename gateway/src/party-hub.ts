// The shard's watch parties: for each party with members connected here, the latest record, the
// members' sockets, and one subscription to the party's subject (held while a member is here).
// Every change is a PartyStore update (read, rule, compare-and-set, retried on a lost race), then
// announced with the whole new record, so other shards apply it without a read. Each party's copy
// is a VersionedMirror of `whole` notices, checked by the hub's tick rather than a timer of its
// own. A tick per second repairs what notices missed (the version check), runs the time-driven rules
// (gate timeout, host hand-over, members on dead shards) and resends the timeline every
// PARTY_HEARTBEAT_MS. Any shard may run a transition: the store's CAS makes it happen once.
// Parties are small, so frames are encoded once and sent to each member's socket in a loop.

import {
  PARTY_HEARTBEAT_MS,
  encodeServerMessage,
  type PartyChatMessage,
  type ServerMessage,
} from '@fanfare/protocol';
import {
  PartyUpdateConflictError,
  type Bus,
  type Clock,
  type Logger,
  type PartyRecord,
  type PartyStore,
  type ShardRegistry,
  type Subjects,
  type Subscription,
  type TimerHandle,
} from '@fanfare/fanout';
import type { GatewayMetrics } from './metrics.js';
import { OutageLog } from './outage-log.js';
import { partyMirror, versionedParty } from './party-mirror.js';
import { decodePartyNotice, encodePartyNotice, type PartyNotice } from './party-notice.js';
import {
  sameApartFromTimeline,
  tend,
  toView,
  type Outcome,
  type PartyRefusal,
} from './party-rules.js';
import { sendEncoded } from './send.js';
import { sessionOf, type Session, type Socket } from './session.js';
import { ShardLiveness } from './shard-liveness.js';
import type { VersionedMirror } from './versioned-mirror.js';

/** How often each local party is checked against the store and the clock, ms. */
export const PARTY_TICK_MS = 1000;
/** Writes retried after losing a compare-and-set race before giving up with `unavailable`. */
export const PARTY_WRITE_ATTEMPTS = 5;

export interface PartyHubDeps {
  store: PartyStore;
  bus: Bus;
  subjects: Subjects;
  clock: Clock;
  shardId: string;
  /** Live shards, to notice members whose shard died (a registry not listing this shard: ignored). */
  registry: ShardRegistry;
  logger: Logger;
  metrics: GatewayMetrics;
}

export type Mutation =
  | { ok: true; party: PartyRecord | null; changed: boolean }
  | { ok: false; code: PartyRefusal | 'party_not_found' | 'unavailable'; message: string };

/** A change to apply: a rule over the stored record (null: remove the party). Pure: it may rerun. */
export type PartyRule = (party: PartyRecord) => Outcome<PartyRecord | null>;

/** The member whose frame caused a change: answered with the whole `party` frame and its ref. */
export interface Reply {
  ws: Socket;
  ref: string | undefined;
}

interface LocalParty {
  eventId: string;
  partyId: string;
  /** The newest record seen; the hub's tick runs its version check. */
  mirror: VersionedMirror<PartyRecord>;
  sockets: Set<Socket>;
  notice: Subscription;
  /** When the timeline was last sent to the members here, ms. */
  beatAt: number;
}

export class PartyHub {
  #deps: PartyHubDeps;
  #parties = new Map<string, LocalParty>();
  /** Members being written as online here and not yet holding a socket in the party. */
  #arriving = new Map<string, number>();
  #pending = new Set<Promise<unknown>>();
  #timer: TimerHandle | undefined;
  #ticking: Promise<void> | undefined;
  /** Shared by every party's mirror and the upkeep round: one warning per outage. */
  #outage: OutageLog;
  #liveness: ShardLiveness;
  /** The socket `offer` answers itself, skipped by the change frames sent meanwhile. */
  #replyTo: Socket | undefined;
  #closed = false;

  constructor(deps: PartyHubDeps) {
    this.#deps = deps;
    this.#outage = new OutageLog(deps.logger, {
      down: 'party upkeep failed; retrying',
      up: 'party store reachable again',
    });
    this.#liveness = new ShardLiveness(deps.registry, deps.shardId, deps.logger);
  }

  get shardId(): string {
    return this.#deps.shardId;
  }

  /** Parties with at least one member connected to this shard. */
  get size(): number {
    return this.#parties.size;
  }

  start(): void {
    this.#timer ??= this.#deps.clock.setInterval(() => void this.tick(), PARTY_TICK_MS);
  }

  /** Stops the tick and every subscription; waits for writes in flight (members going offline). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) this.#deps.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#pending]);
    for (const local of this.#parties.values()) {
      local.notice.unsubscribe();
      local.mirror.close();
    }
    this.#parties.clear();
  }

  /** Runs `work` as a tracked background task (close waits for it); never rejects. */
  track(what: string, work: Promise<unknown>): void {
    const task = work.catch((err: unknown) => this.#deps.logger.warn(what, { err }));
    this.#pending.add(task);
    void task.finally(() => this.#pending.delete(task));
  }

  /** Marks `userId` as arriving in a party here until `done` settles (see `tend`'s localUsers). */
  async arriving<T>(eventId: string, userId: string, done: () => Promise<T>): Promise<T> {
    const key = `${eventId}/${userId}`;
    this.#arriving.set(key, (this.#arriving.get(key) ?? 0) + 1);
    try {
      return await done();
    } finally {
      const left = (this.#arriving.get(key) ?? 1) - 1;
      if (left > 0) this.#arriving.set(key, left);
      else this.#arriving.delete(key);
    }
  }

  /** The record held for a party with members here. */
  held(eventId: string, partyId: string): PartyRecord | undefined {
    return this.#parties.get(`${eventId}/${partyId}`)?.mirror.current.value;
  }

  /**
   * Applies `rule` with `PartyStore.update` (compare-and-set, at most PARTY_WRITE_ATTEMPTS reads).
   * `after` runs right after a successful (or needless) write, before anything is sent. A change
   * is announced to other shards and offered here (`reply` as in `offer`).
   */
  async mutate(
    eventId: string,
    partyId: string,
    rule: PartyRule,
    options: { after?: (party: PartyRecord | null) => void; reply?: Reply } = {},
  ): Promise<Mutation> {
    const { after, reply } = options;
    let result;
    try {
      result = await this.#deps.store.update(eventId, partyId, rule, PARTY_WRITE_ATTEMPTS);
    } catch (err) {
      if (!(err instanceof PartyUpdateConflictError)) throw err;
      return { ok: false, code: 'unavailable', message: 'the party is busy; try again' };
    }
    if (result.status === 'not_found')
      return { ok: false, code: 'party_not_found', message: 'the party is gone' };
    if (result.status === 'refused') return result.refusal;
    if (result.status === 'removed') {
      after?.(null);
      this.#publish(eventId, partyId, { kind: 'gone', from: this.shardId, partyId });
      this.#gone(eventId, partyId);
      return { ok: true, party: null, changed: true };
    }
    const { party } = result;
    const changed = result.status === 'replaced';
    after?.(party);
    if (changed) this.#publish(eventId, partyId, { kind: 'party', from: this.shardId, party });
    this.offer(party, reply);
    return { ok: true, party, changed };
  }

  /** Adds a member's socket here: the party's subscription opens with the first. */
  hold(ws: Socket, session: Session, party: PartyRecord): void {
    const key = `${party.eventId}/${party.id}`;
    let local = this.#parties.get(key);
    if (!local) {
      const subject = this.#deps.subjects.party(party.eventId, party.id);
      local = {
        eventId: party.eventId,
        partyId: party.id,
        mirror: partyMirror({ ...this.#deps, outage: this.#outage }, party, {
          changed: (before, after) => {
            if (local) this.#changed(local, before, after);
          },
          gone: () => this.#gone(party.eventId, party.id),
        }),
        sockets: new Set(),
        notice: this.#deps.bus.subscribe(subject, (data) => this.#onNotice(key, data)),
        beatAt: this.#deps.clock.now(),
      };
      local.mirror.start();
      this.#parties.set(key, local);
    }
    local.sockets.add(ws);
    session.partyId = party.id;
  }

  /** Removes a member's socket; the last one here closes the subscription. */
  release(ws: Socket, session: Session): void {
    const key = `${session.eventId}/${session.partyId}`;
    session.partyId = undefined;
    const local = this.#parties.get(key);
    if (!local) return;
    local.sockets.delete(ws);
    if (local.sockets.size > 0) return;
    local.notice.unsubscribe();
    local.mirror.close();
    this.#parties.delete(key);
  }

  /** True when another socket of `userId` is in the party on this shard. */
  hasOtherSocket(eventId: string, partyId: string, userId: string, ws: Socket): boolean {
    const local = this.#parties.get(`${eventId}/${partyId}`);
    for (const other of local?.sockets ?? []) {
      if (other !== ws && sessionOf(other).user.id === userId) return true;
    }
    return false;
  }

  /**
   * Takes `party` when it is newer than the copy held here and sends the members here what
   * changed: `party` for members, host, readiness or gate, `party.timeline` for the timeline.
   * `reply` gets the whole `party` frame with its `ref` whatever changed.
   */
  offer(party: PartyRecord, reply?: Reply): void {
    const local = this.#parties.get(`${party.eventId}/${party.id}`);
    if (!local || this.#closed) return;
    this.#replyTo = reply?.ws;
    try {
      local.mirror.offer(versionedParty(party));
    } finally {
      this.#replyTo = undefined;
    }
    if (reply && local.sockets.has(reply.ws)) {
      const frame: ServerMessage = { type: 'party', party: toView(local.mirror.current.value) };
      if (reply.ref !== undefined) frame.ref = reply.ref;
      this.#send(reply.ws, sessionOf(reply.ws), frame);
    }
  }

  /** Sends the members here what changed (see `offer`); those no longer members are let go. */
  #changed(local: LocalParty, before: PartyRecord, party: PartyRecord): void {
    const viewChanged = !sameApartFromTimeline(before, party);
    const timelineChanged = party.timeline.version !== before.timeline.version;
    const members = new Set(party.members.map((m) => m.userId));
    const frames: string[] = [];
    if (viewChanged) frames.push(encodeServerMessage({ type: 'party', party: toView(party) }));
    if (timelineChanged) {
      frames.push(this.#timelineFrame(party));
      local.beatAt = this.#deps.clock.now();
    }
    for (const ws of [...local.sockets]) {
      const session = sessionOf(ws);
      if (!members.has(session.user.id)) {
        // Left through another connection (another tab, another shard).
        this.release(ws, session);
        this.#send(ws, session, { type: 'party.left', partyId: party.id, reason: 'left' });
        continue;
      }
      if (ws === this.#replyTo) continue;
      for (const frame of frames) sendEncoded(ws, session, frame);
    }
  }

  /** Sends a chat message to the members here and, through the bus, to those elsewhere. */
  chat(message: PartyChatMessage, eventId: string): void {
    this.#deliverChat(eventId, message);
    this.#publish(eventId, message.partyId, { kind: 'chat', from: this.shardId, message });
  }

  /**
   * One round of upkeep for every party here (runs on a timer; public for tests). One round at a
   * time: a call during a round returns that round.
   */
  tick(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#ticking ??= this.#round().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #round(): Promise<void> {
    try {
      const liveShards = this.#parties.size > 0 ? await this.#liveness.live() : undefined;
      for (const local of [...this.#parties.values()]) {
        if (this.#parties.get(`${local.eventId}/${local.partyId}`) !== local) continue;
        await this.#tend(local, liveShards);
      }
    } catch (err) {
      // A rule's write failed; the mirrors' checks say when the store answers again.
      this.#outage.failed(err);
    }
  }

  async #tend(local: LocalParty, liveShards: ReadonlySet<string> | undefined): Promise<void> {
    const { clock } = this.#deps;
    const { eventId, partyId } = local;
    await local.mirror.check();
    if (this.#parties.get(`${eventId}/${partyId}`) !== local) return; // gone, or all left
    const record = () => local.mirror.current.value;
    const liveness = () => ({
      shardId: this.shardId,
      localUsers: this.#localUsers(local),
      liveShards,
    });
    if (tend(record(), clock.now(), liveness()) !== record()) {
      await this.mutate(eventId, partyId, (p) => ({
        ok: true,
        party: tend(p, clock.now(), liveness()),
      }));
    }
    const now = clock.now();
    if (now - local.beatAt >= PARTY_HEARTBEAT_MS && this.#parties.get(`${eventId}/${partyId}`)) {
      local.beatAt = now;
      const frame = this.#timelineFrame(record());
      for (const ws of local.sockets) sendEncoded(ws, sessionOf(ws), frame);
    }
  }

  /** Users with a socket (or a write in flight) in this party here. */
  #localUsers(local: LocalParty): Set<string> {
    const users = new Set<string>();
    for (const ws of local.sockets) users.add(sessionOf(ws).user.id);
    for (const m of local.mirror.current.value.members) {
      if (this.#arriving.has(`${local.eventId}/${m.userId}`)) users.add(m.userId);
    }
    return users;
  }

  #onNotice(key: string, data: Uint8Array): void {
    const notice = decodePartyNotice(data);
    const local = this.#parties.get(key);
    if (!notice || notice.from === this.shardId || !local || this.#closed) return;
    if (notice.kind === 'party') this.offer(notice.party);
    else if (notice.kind === 'gone') this.#gone(local.eventId, local.partyId);
    else this.#deliverChat(local.eventId, notice.message);
  }

  #deliverChat(eventId: string, message: PartyChatMessage): void {
    const local = this.#parties.get(`${eventId}/${message.partyId}`);
    if (!local) return;
    const frame = encodeServerMessage({ type: 'party.chat', message });
    for (const ws of local.sockets) sendEncoded(ws, sessionOf(ws), frame);
  }

  /** The party no longer exists: its members here are told and let go. */
  #gone(eventId: string, partyId: string): void {
    const local = this.#parties.get(`${eventId}/${partyId}`);
    if (!local) return;
    for (const ws of [...local.sockets]) {
      const session = sessionOf(ws);
      this.release(ws, session);
      this.#send(ws, session, { type: 'party.left', partyId, reason: 'gone' });
    }
  }

  #timelineFrame(party: PartyRecord): string {
    return encodeServerMessage({
      type: 'party.timeline',
      partyId: party.id,
      timeline: party.timeline,
      serverTime: this.#deps.clock.now(),
    });
  }

  #publish(eventId: string, partyId: string, notice: PartyNotice): void {
    this.#deps.bus.publish(this.#deps.subjects.party(eventId, partyId), encodePartyNotice(notice));
  }

  #send(ws: Socket, session: Session, message: ServerMessage): void {
    sendEncoded(ws, session, encodeServerMessage(message));
  }
}
