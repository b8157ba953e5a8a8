// Renewing resume tickets over the open socket: a ticket lives RESUME_TICKET_TTL_S (300 s), so
// without renewal a fan connected longer than that resumes with its token, at about twice the
// shard CPU of a ticket, and most fans of a real event are connected longer than five minutes
// when its resume storms come. So each fan gets a `ticket` frame before the ticket it holds is
// half-way to its expiry, and the lifetime stays short.
//
// Trade-off: renewals are paced, not exact. One Map holds every fan with a ticket to renew, in
// the order their tickets were issued, which is also the order they fall due (every ticket of a
// shard lives the same TTL); a timer takes at most `perTick` from its head per tick. A room that
// joined in one storm thus gets its renewals spread over a minute or so instead of one loop turn,
// and a fan renewed late (past a fuller shard than the bound allows for) still gets a new ticket.

import { encodeServerMessage, type ResumeTicketGrant } from '@fanfare/protocol';
import {
  ResumeTickets,
  type Clock,
  type Logger,
  type ShardRegistry,
  type TicketSubject,
  type TimerHandle,
} from '@fanfare/fanout';
import type { GatewayConfig } from './config.js';
import { FallbackPeers } from './fallback-peers.js';
import type { GatewayMetrics } from './metrics.js';
import { sendEncoded } from './send.js';
import { sessionOf, type Session, type Socket } from './session.js';

/** How often renewals run, ms. */
export const RENEWAL_TICK_MS = 250;

/**
 * Most renewals per tick for a shard of `capacity` fans and tickets of `ttlS`: enough that a full
 * shard, joined in one storm, is renewed within a quarter of a lifetime of falling due (at half
 * of it), so even the last fan renewed holds a quarter of its ticket's lifetime still. At the
 * defaults (19,000 fans, 300 s) 64 per 250 ms tick, 256 frames/s at most.
 */
export function renewalsPerTick(capacity: number, ttlS: number): number {
  return Math.max(1, Math.ceil((capacity * RENEWAL_TICK_MS) / ((ttlS * 1000) / 4)));
}

export interface TicketRenewalsDeps {
  tickets: ResumeTickets;
  /** The tickets' lifetime, seconds (what `tickets` issues with). */
  ttlS: number;
  /** Most `ticket` frames sent per tick (see renewalsPerTick). */
  perTick: number;
  clock: Clock;
  /** Counts the `ticket` frames sent (a Prometheus counter on a shard). */
  renewed: { inc(count: number): void };
  /** The live peers every grant names one of as its fallback; none named without. */
  peers?: FallbackPeers | undefined;
}

/**
 * The shard's resume tickets (`tickets`, which the upgrade issues and checks) and their renewal.
 *
 * Contract: `add` a socket when its welcome goes out (before, since the welcome consumes the
 * session's ticket); from then on, while it is open, it gets a `ticket` frame once its newest
 * ticket is half its lifetime old (at whole seconds, in due order, at most `perTick` per tick),
 * until a ticket reaches the expiry of the token the session descends from (the chain never
 * outlives it). `remove` it when it closes: a closed socket is never touched. A fan the event
 * has banned gets no renewal (and its tickets are refused at the upgrade anyway). Memory: one
 * Map entry per fan (socket to due second, an integer: 48 bytes), and the session's `tokenExp`.
 */
export class TicketRenewals {
  readonly tickets: ResumeTickets;
  #deps: TicketRenewalsDeps;
  #halfS: number;
  /** Socket to the second its ticket falls due, in insertion order, which is due order. */
  #due = new Map<Socket, number>();
  #timer: TimerHandle | undefined;

  constructor(deps: TicketRenewalsDeps) {
    this.tickets = deps.tickets;
    this.#deps = deps;
    this.#halfS = Math.max(1, Math.floor(deps.ttlS / 2));
  }

  /**
   * A grant of a ticket for `subject` (ResumeTickets.issue: undefined once `texp` leaves no
   * time), naming a live peer as `fallbackUrl` when one is known. The property comes after
   * `ticket`: load generators find the ticket by the welcome's `"resumeTicket":{"ticket":"`.
   */
  grant(subject: TicketSubject, texp: number, nowMs: number): ResumeTicketGrant | undefined {
    const grant = this.tickets.issue(subject, texp, nowMs);
    if (grant === undefined) return undefined;
    const fallbackUrl = this.#deps.peers?.pick();
    if (fallbackUrl !== undefined) grant.fallbackUrl = fallbackUrl;
    return grant;
  }

  /** Sockets waiting for their next renewal. */
  get size(): number {
    return this.#due.size;
  }

  /** Follows a socket whose welcome is about to carry its session's ticket (if it has one). */
  add(ws: Socket, session: Session): void {
    const grant = session.resumeTicket;
    if (grant !== undefined) this.#follow(ws, session, grant.expiresAt, this.#nowS());
  }

  /** Forgets a socket (it closed). */
  remove(ws: Socket): void {
    this.#due.delete(ws);
  }

  /** Sends the renewals due now, at most `perTick` of them; returns how many went out. */
  tick(): number {
    const nowMs = this.#deps.clock.now();
    const nowS = Math.floor(nowMs / 1000);
    const batch: Socket[] = [];
    for (const [ws, due] of this.#due) {
      if (due > nowS || batch.length >= this.#deps.perTick) break;
      batch.push(ws);
    }
    let sent = 0;
    for (const ws of batch) {
      this.#due.delete(ws);
      const session = sessionOf(ws);
      if (session.closed || session.room.sanctionOf(session.user.id)?.kind === 'ban') continue;
      const grant = this.grant(subjectOf(session), session.tokenExp, nowMs);
      if (grant === undefined) continue; // the token has expired: the chain ends
      sendEncoded(ws, session, encodeServerMessage({ type: 'ticket', ...grant }));
      sent++;
      this.#follow(ws, session, grant.expiresAt, nowS); // at the end: the Map stays in due order
    }
    if (sent > 0) this.#deps.renewed.inc(sent);
    return sent;
  }

  /** Starts renewing, and reading the fallback peers. */
  start(): void {
    this.#timer ??= this.#deps.clock.setInterval(() => this.tick(), RENEWAL_TICK_MS);
    this.#deps.peers?.start();
  }

  /** Stops renewing (and naming fallbacks); idempotent. */
  close(): void {
    this.#deps.peers?.close();
    if (this.#timer !== undefined) this.#deps.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    this.#due.clear();
  }

  /**
   * Queues `ws` for a renewal half a lifetime from `nowS`, unless the ticket it now holds (ending
   * at `expiresAt`, ms) is capped at the token's expiry: that one is the chain's last.
   */
  #follow(ws: Socket, session: Session, expiresAt: number, nowS: number): void {
    if (expiresAt < session.tokenExp * 1000) this.#due.set(ws, nowS + this.#halfS);
  }

  #nowS(): number {
    return Math.floor(this.#deps.clock.now() / 1000);
  }
}

/** The claims a session's next ticket carries: those of the token it descends from. */
function subjectOf(session: Session): TicketSubject {
  const { id, name, role } = session.user;
  const subject: TicketSubject = {
    sub: id,
    evt: session.eventId,
    role,
    name,
    ent: [...session.entitlements],
  };
  // The session keeps the country as its QoE label: a code, or `unknown` for none.
  if (session.country !== 'unknown') subject.cty = session.country;
  return subject;
}

/**
 * The shard's tickets and their renewal, or undefined when it holds no ticket keys. Its grants
 * name fallback peers read from `registry` (a shard alone finds none there, and names none).
 */
export function ticketRenewalsFor(
  config: GatewayConfig,
  clock: Clock,
  metrics: GatewayMetrics,
  registry: ShardRegistry,
  logger: Logger,
): TicketRenewals | undefined {
  const { keys, ttlS } = config.resumeTickets;
  if (keys.length === 0) return undefined;
  return new TicketRenewals({
    tickets: new ResumeTickets(keys, ttlS),
    ttlS,
    perTick: renewalsPerTick(config.capacity, ttlS),
    clock,
    renewed: metrics.ticketRenewals,
    peers: new FallbackPeers({ registry, shardId: config.shardId, clock, logger }),
  });
}
