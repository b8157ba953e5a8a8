// Chat admission for one event on one shard: a fan's `chat.send` is checked (sanctions, the
// event's chat rules, the fan's own guard, the event's ingest cap), appended to the event's log
// and acknowledged. A part of EventRoom, as RoomPolls is for votes: the room hands it the stage's
// rules as they change and answers its questions about sanctions and the audience.

import { Close, type ChatSend, type ErrorCode } from '@fanfare/protocol';
import {
  encodeLogRecord,
  type Clock,
  type EventLog,
  type Logger,
  type Sanction,
  type Stage,
} from '@fanfare/fanout';
import { checkChatRules, compileChatPolicy, isPriority, type ChatPolicy } from './chat-rules.js';
import type { GatewayConfig } from './config.js';
import type { IdSource } from './ids.js';
import { IngestBudget, shardShare } from './ingest-budget.js';
import type { GatewayMetrics } from './metrics.js';
import { OutageLog } from './outage-log.js';
import { sendError, sendTo } from './send.js';
import { chatGuardOf, endSession, type Session, type Socket } from './session.js';

export interface RoomChatDeps {
  eventId: string;
  log: EventLog;
  clock: Clock;
  config: GatewayConfig;
  ids: IdSource;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The ban or timeout in force for `userId` now, if any. */
  sanctionOf: (userId: string) => Sanction | undefined;
  /** This shard's fans in the event and the event's viewers on every shard (the cap's share). */
  audience: () => { local: number; total: number };
  /** The id of the message at `seq` in the log (a duplicate's ack names the first copy). */
  idAt: (seq: number) => Promise<string | undefined>;
}

/**
 * What a fan refused because the log is unreachable is told to wait, ms. The log fails fast
 * while NATS is known to be down (LogUnavailableError), so the answer comes at once; there is no
 * queue on the shard: the client resends (the SDK does, with the same idempotency key).
 */
export const CHAT_UNAVAILABLE_RETRY_MS = 1_000;

export class RoomChat {
  #deps: RoomChatDeps;
  #policy: ChatPolicy;
  #budget = new IngestBudget();
  /** One warning per log outage, not one per refused message. */
  #outage: OutageLog;

  constructor(deps: RoomChatDeps, stage: Stage) {
    this.#deps = deps;
    this.#outage = new OutageLog(
      deps.logger,
      { down: 'chat append failed', up: 'chat appends again' },
      { eventId: deps.eventId },
    );
    this.#policy = compileChatPolicy(stage, deps.config.chatCapPerSec);
  }

  /** A newer stage arrived: its chat rules apply from the next message. */
  setStage(stage: Stage): void {
    this.#policy = compileChatPolicy(stage, this.#deps.config.chatCapPerSec);
  }

  /**
   * Admits, stores and acknowledges one chat message. Checks in order: sanctions, the event's
   * chat rules, the fan's own rate limit, the event's ingest cap. Refusals become error frames.
   */
  async send(ws: Socket, session: Session, msg: ChatSend): Promise<void> {
    const { eventId, clock, config, ids, log, metrics } = this.#deps;
    const now = clock.now();
    const refuse = (code: ErrorCode, message: string, retryAfterMs?: number): void => {
      metrics.chatRefused.inc({ code });
      sendError(ws, session, code, message, { ref: msg.ref, retryAfterMs });
    };
    const sanction = this.#deps.sanctionOf(session.user.id);
    if (sanction?.kind === 'ban') return endSession(ws, session, Close.banned, 'banned');
    if (sanction?.kind === 'timeout') {
      const wait = Math.max(0, (sanction.until ?? now) - now);
      // The moderator's reason, when given, after a colon: pages show it as the reason.
      const why = sanction.reason ? `: ${sanction.reason}` : '';
      return refuse('timed_out', `a moderator timed you out of chat${why}`, wait);
    }
    const sender = {
      role: session.user.role,
      entitlements: session.entitlements,
      lastChatAt: session.lastChatAt,
    };
    const rule = checkChatRules(this.#policy, sender, msg.text, now);
    if (!rule.ok) return refuse(rule.code, rule.message, rule.retryAfterMs);
    const guard = chatGuardOf(session, config.chat, now);
    const verdict = guard.admit(msg.text, now, msg.key);
    if (!verdict.ok) {
      if (verdict.code === 'duplicate_message')
        return refuse('duplicate_message', 'you sent the same message just now');
      return refuse('rate_limited', 'slow down: chat rate limit reached', verdict.retryAfterMs);
    }
    const cap = this.#policy.capPerSec;
    if (cap > 0) {
      const { local, total } = this.#deps.audience();
      const share = shardShare(cap, local, total);
      const wait = this.#budget.take(now, share, isPriority(sender));
      if (wait > 0) {
        guard.forget(msg.text);
        return refuse('chat_busy', 'chat is at capacity; try again shortly', wait);
      }
    }
    const previousChatAt = session.lastChatAt;
    session.lastChatAt = now;
    const id = ids.next();
    const record = encodeLogRecord({ kind: 'chat', id, author: session.user, text: msg.text });
    // A client key makes a retry idempotent; scoped to the user so fans cannot collide.
    const msgId = msg.key === undefined ? id : `k:${session.user.id}:${msg.key}`;
    try {
      const position = await log.append(eventId, record, msgId);
      this.#outage.answered();
      if (position.duplicate) {
        // Nothing new: costs no budget and does not restart slow mode.
        guard.forget(msg.text);
        session.lastChatAt = previousChatAt;
      } else metrics.chatAccepted.inc();
      if (msg.ref === undefined) return;
      if (!position.duplicate) {
        const { epoch, seq } = position;
        sendTo(ws, session, { type: 'ack', ref: msg.ref, id, epoch, seq });
        return;
      }
      const firstId = await this.#deps.idAt(position.seq);
      sendTo(ws, session, {
        type: 'ack',
        ref: msg.ref,
        id: firstId ?? id,
        epoch: position.epoch,
        seq: position.seq,
        duplicate: true,
      });
    } catch (err) {
      guard.forget(msg.text);
      session.lastChatAt = previousChatAt;
      this.#outage.failed(err);
      refuse(
        'unavailable',
        'chat is briefly unavailable; nothing was sent',
        CHAT_UNAVAILABLE_RETRY_MS,
      );
    }
  }
}
