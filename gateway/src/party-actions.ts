// What a fan's `party.*` frames do, and what a fan's arrival and departure do to the party it is
// in: each is one rule from party-rules.ts run through the hub's read-rule-write. A closed socket
// only marks its member offline (the party keeps the slot); the same user connecting again, on
// any shard, is re-attached and sent the `party` frame right after the welcome. Only
// `party.leave` gives the slot up.

import { randomInt } from 'node:crypto';
import type { ClientMessage, ErrorCode } from '@fanfare/protocol';
import { StateUnavailableError, type Clock, type PartyStore } from '@fanfare/fanout';
import type { GatewayMetrics } from './metrics.js';
import type { GatewayConfig } from './config.js';
import type { IdSource } from './ids.js';
import type { Mutation, PartyHub } from './party-hub.js';
import {
  applyCommand,
  createParty,
  goOffline,
  goOnline,
  inviteCode,
  joinParty,
  leaveParty,
  setHost,
  setReadiness,
  type Outcome,
} from './party-rules.js';
import { sendError, sendTo } from './send.js';
import { bucketOf, type Session, type Socket } from './session.js';
import { take } from './token-bucket.js';

export type PartyMessage = Extract<ClientMessage, { type: `party.${string}` }>;

/** Fresh invite codes tried before a create gives up (31^8 codes: a clash is already rare). */
const CODE_ATTEMPTS = 5;
/** What a refused client is told to wait when the store is unreachable or contended, ms. */
const UNAVAILABLE_RETRY_MS = 1000;

export interface PartyActionsDeps {
  hub: PartyHub;
  store: PartyStore;
  clock: Clock;
  ids: IdSource;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  /** An integer in [0, n), for invite codes. */
  randomInt?: (n: number) => number;
}

export class PartyActions {
  #deps: PartyActionsDeps;

  constructor(deps: PartyActionsDeps) {
    this.#deps = deps;
  }

  /** Handles one `party.*` frame; every refusal is an error frame. Rejects only on a bug. */
  async handle(ws: Socket, session: Session, msg: PartyMessage): Promise<void> {
    const { config, clock } = this.#deps;
    const ref = 'ref' in msg ? msg.ref : undefined;
    const kind = msg.type === 'party.chat' ? 'partyChat' : 'partyOps';
    const now = clock.now();
    const wait = take(bucketOf(session, kind, config[kind], now), config[kind], now);
    if (wait > 0) {
      if (msg.type === 'party.command')
        this.#deps.metrics.partyCommands.inc({ outcome: 'rate_limited' });
      return sendError(ws, session, 'rate_limited', 'too many party actions', {
        ref,
        retryAfterMs: wait,
      });
    }
    try {
      await this.#handle(ws, session, msg);
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      const message = 'watch parties are briefly unavailable; nothing changed';
      sendError(ws, session, 'unavailable', message, { ref, retryAfterMs: UNAVAILABLE_RETRY_MS });
    }
  }

  async #handle(ws: Socket, session: Session, msg: PartyMessage): Promise<void> {
    const { hub, clock } = this.#deps;
    const { eventId } = session;
    const userId = session.user.id;
    const now = clock.now();
    const fail = (code: ErrorCode, message: string, ref?: string) =>
      sendError(ws, session, code, message, {
        ref,
        retryAfterMs: code === 'unavailable' ? UNAVAILABLE_RETRY_MS : undefined,
      });
    const refused = (m: Mutation, ref?: string): boolean => {
      if (m.ok) return false;
      fail(m.code, m.message, ref);
      return true;
    };
    switch (msg.type) {
      case 'party.create':
        return this.#create(ws, session, msg.media, msg.maxSize, msg.ref);
      case 'party.join': {
        const party = await this.#deps.store.byCode(eventId, msg.code);
        if (!party) return fail('party_not_found', 'no party with this code here', msg.ref);
        if (await this.#inOtherParty(session, party.id)) {
          return fail('already_in_party', 'leave your party first', msg.ref);
        }
        const person = { userId, name: session.user.name };
        const m = await hub.arriving(eventId, userId, () =>
          hub.mutate(eventId, party.id, (p) => joinParty(p, person, hub.shardId, clock.now()), {
            after: (record) => record && !session.closed && hub.hold(ws, session, record),
            reply: { ws, ref: msg.ref },
          }),
        );
        refused(m, msg.ref);
        return;
      }
      case 'party.leave': {
        const partyId = session.partyId;
        if (partyId === undefined) return fail('not_in_party', 'you are in no party', msg.ref);
        const m = await hub.mutate(eventId, partyId, (p) => leaveParty(p, userId, clock.now()), {
          after: () => hub.release(ws, session),
        });
        if (!m.ok && m.code !== 'party_not_found' && m.code !== 'not_in_party') {
          return void refused(m, msg.ref);
        }
        if (session.partyId === partyId) hub.release(ws, session);
        const left = m.ok || m.code === 'not_in_party' ? 'left' : 'gone';
        sendTo(ws, session, { type: 'party.left', partyId, reason: left, ...refOf(msg.ref) });
        return;
      }
      case 'party.chat': {
        const party = this.#heldParty(session);
        if (!party) return fail('not_in_party', 'you are in no party', msg.ref);
        const sanction = session.room.sanctionOf(userId);
        if (sanction?.kind === 'timeout') {
          const wait = Math.max(0, (sanction.until ?? now) - now);
          return sendError(ws, session, 'timed_out', 'a moderator timed you out of chat', {
            ref: msg.ref,
            retryAfterMs: wait,
          });
        }
        const message = { id: this.#deps.ids.next(), partyId: party, ts: now };
        hub.chat({ ...message, author: session.user, text: msg.text }, eventId);
        return;
      }
      case 'party.command': {
        const partyId = session.partyId;
        if (partyId === undefined) {
          this.#deps.metrics.partyCommands.inc({ outcome: 'not_in_party' });
          return fail('not_in_party', 'you are in no party', msg.ref);
        }
        // Every command is answered by its ref: the whole view when it applied (even when only
        // the gate changed, as a play while someone buffers or a pause during a seek's wait) or
        // changed nothing, an error frame when refused.
        const m = await hub.mutate(
          eventId,
          partyId,
          (p) => applyCommand(p, userId, msg.command, msg.version, clock.now()),
          { reply: { ws, ref: msg.ref } },
        );
        const outcome = m.ok ? (m.changed ? 'applied' : 'unchanged') : m.code;
        this.#deps.metrics.partyCommands.inc({ outcome });
        refused(m, msg.ref);
        return;
      }
      case 'party.ready': {
        const partyId = session.partyId;
        if (partyId === undefined) return fail('not_in_party', 'you are in no party');
        const m = await hub.mutate(eventId, partyId, (p) =>
          ok(setReadiness(p, userId, msg.readiness, clock.now(), msg.pathMs)),
        );
        refused(m);
        return;
      }
      case 'party.host': {
        const partyId = session.partyId;
        if (partyId === undefined) return fail('not_in_party', 'you are in no party', msg.ref);
        const m = await hub.mutate(eventId, partyId, (p) => setHost(p, userId, msg.userId), {
          reply: { ws, ref: msg.ref },
        });
        refused(m, msg.ref);
        return;
      }
    }
  }

  /**
   * A socket opened: if its user is in a party of this event, the member comes online here and
   * gets the `party` frame (after the welcome, which is already sent). Runs in the background.
   */
  attach(ws: Socket, session: Session): void {
    const { hub, store } = this.#deps;
    const { eventId } = session;
    const userId = session.user.id;
    const work = async (): Promise<void> => {
      const partyId = await store.ofUser(eventId, userId);
      if (partyId === undefined || session.closed || session.partyId !== undefined) return;
      await hub.arriving(eventId, userId, () =>
        hub.mutate(
          eventId,
          partyId,
          (p) =>
            p.members.some((m) => m.userId === userId)
              ? ok(goOnline(p, userId, hub.shardId))
              : { ok: false, code: 'not_in_party', message: 'no longer a member' },
          {
            after: (record) => record && !session.closed && hub.hold(ws, session, record),
            reply: { ws, ref: undefined },
          },
        ),
      );
      // Closed while coming online: the close found no party to leave, so go offline here.
      if (session.closed && !hub.hasOtherSocket(eventId, partyId, userId, ws)) {
        await this.#offline(eventId, partyId, userId);
      }
    };
    hub.track('party re-attach failed', work());
  }

  /** A socket closed: its member goes offline (keeping the slot) unless connected here again. */
  detach(ws: Socket, session: Session): void {
    const { hub } = this.#deps;
    const partyId = session.partyId;
    if (partyId === undefined) return;
    hub.release(ws, session);
    if (hub.hasOtherSocket(session.eventId, partyId, session.user.id, ws)) return;
    hub.track(
      'party member offline failed',
      this.#offline(session.eventId, partyId, session.user.id),
    );
  }

  async #offline(eventId: string, partyId: string, userId: string): Promise<void> {
    const { hub, clock } = this.#deps;
    await hub.mutate(eventId, partyId, (p) => ok(goOffline(p, userId, hub.shardId, clock.now())));
  }

  async #create(
    ws: Socket,
    session: Session,
    media: string,
    maxSize: number | undefined,
    ref: string | undefined,
  ): Promise<void> {
    const { hub, store, clock, ids } = this.#deps;
    if (await this.#inOtherParty(session, undefined)) {
      return sendError(ws, session, 'already_in_party', 'leave your party first', { ref });
    }
    const random = this.#deps.randomInt ?? randomInt;
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const party = createParty({
        id: ids.next(),
        eventId: session.eventId,
        code: inviteCode(random),
        host: { userId: session.user.id, name: session.user.name },
        shardId: hub.shardId,
        media,
        maxSize,
        now: clock.now(),
      });
      const created = await hub.arriving(session.eventId, session.user.id, async () => {
        const result = await store.create(party);
        if (result === 'created' && !session.closed) hub.hold(ws, session, party);
        return result;
      });
      if (created === 'code_taken') continue;
      hub.offer(party, { ws, ref });
      if (session.closed) await this.#offline(session.eventId, party.id, session.user.id);
      return;
    }
    sendError(ws, session, 'unavailable', 'no free invite code; try again', {
      ref,
      retryAfterMs: UNAVAILABLE_RETRY_MS,
    });
  }

  /** The party id this session's member is in on this shard, if its record is held here. */
  #heldParty(session: Session): string | undefined {
    const partyId = session.partyId;
    return partyId !== undefined && this.#deps.hub.held(session.eventId, partyId)
      ? partyId
      : undefined;
  }

  /** True when the user is a member of a party other than `partyId` (per the store's index). */
  async #inOtherParty(session: Session, partyId: string | undefined): Promise<boolean> {
    if (session.partyId !== undefined && session.partyId !== partyId) return true;
    const other = await this.#deps.store.ofUser(session.eventId, session.user.id);
    return other !== undefined && other !== partyId;
  }
}

function ok<T>(party: T): Outcome<T> {
  return { ok: true, party };
}

function refOf(ref: string | undefined): { ref?: string } {
  return ref === undefined ? {} : { ref };
}
