// The WebSocket upgrade: everything a fan must pass before a socket exists. Headers are read
// synchronously (uWS invalidates the request after the first await), `onAborted` is armed,
// then the token is verified and the event's room made ready, and only then the upgrade is
// completed inside `cork`. Every refusal is an HTTP status with a reason code.

import {
  RESUME_TICKET_PARAM,
  TRACEPARENT_PARAM,
  UPGRADE_REFUSALS,
  negotiateSubprotocol,
  parseResumeQuery,
  type UpgradeRefusal,
} from '@fanfare/protocol';
import { STATUS_CODES } from 'node:http';
import { TICKET_ADMISSION_COST, type Admission } from './admission.js';
import type { GatewayConfig } from './config.js';
import type { EventRoom } from './event-room.js';
import type { IdSource } from './ids.js';
import type { GatewayMetrics } from './metrics.js';
import type { Logger } from '@fanfare/fanout';
import { isCredentialRejection, readCredential, verifyCredential } from './fan-credential.js';
import type { ResumePlan } from './resume-plan.js';
import type { RoomRegistry } from './room-registry.js';
import { newSession, type SocketData } from './session.js';
import type { AdmittedLedger } from './admitted-ledger.js';
import type { ConnectTrace, ConnectTraces } from './connect-trace.js';
import type { TicketRenewals } from './ticket-renewals.js';
import type { TokenVerifier } from './token-verifier.js';
import type { Uws } from './uws.js';

export interface UpgradeDeps {
  config: GatewayConfig;
  verifier: TokenVerifier;
  /**
   * The shard's resume tickets: checked with `tickets`, granted (with a fallback peer) by
   * `grant`; undefined when the shard has no ticket keys.
   */
  renewals: TicketRenewals | undefined;
  rooms: RoomRegistry;
  ids: IdSource;
  now: () => number;
  isReady: () => boolean;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The connection-rate budget, taken from before any other work. */
  admission: Admission;
  /** Upgrade spans (connect-trace.ts) when the shard traces; undefined: none, no cost. */
  traces: ConnectTraces | undefined;
  /** Counts a fan admitted with the API's placement (its credential's `plc`). */
  admitted: AdmittedLedger;
}

const TICKET_QUERY = `${RESUME_TICKET_PARAM}=`;

/** Seconds a refused client should wait when the shard is not ready. */
export const NOT_READY_RETRY_AFTER_S = 2;

export function refuse(
  res: Uws.HttpResponse,
  reason: UpgradeRefusal,
  message: string,
  retryAfterS = NOT_READY_RETRY_AFTER_S,
): void {
  const { status } = UPGRADE_REFUSALS[reason];
  res.cork(() => {
    res.writeStatus(`${status} ${STATUS_CODES[status] ?? ''}`);
    res.writeHeader('content-type', 'application/json');
    res.writeHeader('x-fanfare-error', reason);
    if (status === 503) res.writeHeader('retry-after', String(retryAfterS));
    res.end(JSON.stringify({ error: reason, message }));
  });
}

export function createUpgradeHandler(deps: UpgradeDeps) {
  const { config, verifier, renewals, rooms, ids, logger, traces } = deps;
  const tickets = renewals?.tickets;
  const deny = (
    res: Uws.HttpResponse,
    reason: UpgradeRefusal,
    message: string,
    retryAfterS?: number,
  ): void => {
    deps.metrics.upgradesRefused.inc({ reason });
    refuse(res, reason, message, retryAfterS);
  };
  const origins = config.allowedOrigins === '*' ? undefined : new Set(config.allowedOrigins);

  return (res: Uws.HttpResponse, req: Uws.HttpRequest, context: Uws.us_socket_context_t): void => {
    const key = req.getHeader('sec-websocket-key');
    const protocolHeader = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const origin = req.getHeader('origin');
    const query = req.getQuery() ?? '';
    // Only when the shard traces: the caller's W3C context (the header wins over the query).
    const traceHeader = traces ? req.getHeader('traceparent') : '';
    const traceState = traces ? req.getHeader('tracestate') : '';
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });

    if (!deps.isReady()) return deny(res, 'not_ready', 'shard is not accepting fans');
    // Admission before anything costs: past the budget no token is verified, no room touched.
    // A ticket's check is cheaper than a token's, so it takes less of the budget. The query is
    // parsed this early only when it may hold a ticket, and the charge follows the credential
    // that parse yields, so neither another parameter (`xticket=`) nor an empty `ticket=` buys a
    // token's check at a ticket's price. (A percent-encoded `ticket` is charged as a token.)
    let params = query.includes(TICKET_QUERY) ? new URLSearchParams(query) : undefined;
    const ticketed = params !== undefined && readCredential(params, undefined)?.kind === 'ticket';
    const cost = ticketed ? TICKET_ADMISSION_COST : 1;
    const retryAfterS = deps.admission.admit(deps.now(), cost);
    if (retryAfterS > 0) {
      return deny(res, 'overloaded', 'shard is at its connection rate; retry later', retryAfterS);
    }
    if (origins && origin !== '' && !origins.has(origin)) {
      return deny(res, 'origin_forbidden', `origin ${origin} is not allowed`);
    }
    const negotiated = negotiateSubprotocol(protocolHeader);
    if (!negotiated) return deny(res, 'version_unsupported', 'supported: fanfare.v1');
    params ??= new URLSearchParams(query);
    const resumeFrom = parseResumeQuery(params);
    if (!resumeFrom.ok) return deny(res, 'invalid_request', resumeFrom.message);
    const since = resumeFrom.value;
    const credential = readCredential(params, negotiated.bearer);
    if (!credential) return deny(res, 'token_missing', 'pass the token as ?token=');

    const connect: ConnectTrace | undefined = traces?.start(
      traceHeader || (params.get(TRACEPARENT_PARAM) ?? ''),
      traceState,
    );
    /** A refusal after work began: counted, answered, and the upgrade span ended with it. */
    const refuseLate = (reason: UpgradeRefusal, message: string): void => {
      connect?.end({ refusal: reason, aborted });
      if (!aborted) deny(res, reason, message);
    };
    const verify = () => verifyCredential(credential, verifier, tickets, deps.now());
    const admit = async (): Promise<void> => {
      let claims, tokenExp;
      try {
        ({ claims, tokenExp } = await (connect ? connect.step('token.verify', verify) : verify()));
      } catch (err) {
        if (isCredentialRejection(err)) return refuseLate(err.reason, err.message);
        if (aborted) return connect?.end({ aborted });
        throw err;
      }
      if (aborted) return connect?.end({ aborted });
      let room: EventRoom;
      const evt = claims.evt;
      try {
        room = await (connect
          ? connect.step('room.acquire', () => rooms.acquire(evt))
          : rooms.acquire(evt));
      } catch (err) {
        logger.warn('room failed to start', { eventId: claims.evt, err, ...connect?.logFields() });
        return refuseLate('not_ready', 'event is briefly unavailable');
      }
      if (room.sanctionOf(claims.sub)?.kind === 'ban') {
        rooms.release(room);
        return refuseLate('banned', 'a moderator banned you from this event');
      }
      // The room is ready, so its stage is the store's (or the default when there is none).
      if (
        room.stage.rules.access === 'ticketed' &&
        claims.role === 'fan' &&
        !claims.ent.includes('ticketed')
      ) {
        rooms.release(room);
        return refuseLate('not_entitled', 'this event is for ticket holders');
      }
      let resume: ResumePlan | undefined;
      if (since !== undefined) {
        try {
          resume = await room.prepareResume(since);
        } catch (err) {
          logger.warn('resume read failed; sending a fresh snapshot', {
            eventId: claims.evt,
            err,
            ...connect?.logFields(),
          });
          resume = { since: since.seq, lost: true };
        }
      }
      if (aborted || !deps.isReady()) {
        rooms.release(room);
        return refuseLate('not_ready', 'shard is draining');
      }
      const session = newSession({
        sessionId: ids.next(),
        user: { id: claims.sub, name: claims.name, role: claims.role },
        // The room's string, not the token's copy of it: one per event instead of one per fan.
        eventId: room.eventId,
        entitlements: claims.ent,
        country: claims.cty,
        version: negotiated.version,
        room,
        resume,
        resumeTicket: renewals?.grant(claims, tokenExp, deps.now()),
        tokenExp,
        frames: config.frames,
        now: deps.now(),
      });
      // Corked, as uWS requires of async responses. Nothing may be sent from the `open` handler
      // this runs (see Gateway's `open`): uWS 20.30 can then close the fresh socket.
      if (connect) {
        connect.admitted({ user: claims.sub, event: room.eventId, session: session.sessionId });
        traces?.hold(session.sessionId, connect);
      }
      // Counted with the upgrade, whose `open` (the connection count) runs synchronously in it.
      if (claims.plc) deps.admitted.record(claims.plc, deps.now());
      // The Session behind one property: uWS copies the userData's properties onto the socket.
      const data: SocketData = { session };
      res.cork(() => res.upgrade(data, key, negotiated.subprotocol, extensions, context));
    };
    const run = (): Promise<void> =>
      admit().catch((err: unknown) => {
        logger.error('upgrade failed', { err, ...connect?.logFields() });
        connect?.end({ error: true, aborted });
        if (!aborted) deny(res, 'not_ready', 'internal error');
      });
    void (connect ? connect.run(run) : run());
  };
}
