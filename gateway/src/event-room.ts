// One live event as seen by one shard: the shard's fans in it, its recent chat, and the
// event's subscriptions on the bus and the log. Exists only while the shard has fans in the
// event (the RoomRegistry opens and closes it). Encode once, send many: every broadcast is
// serialised once and handed to uWS `publish`, which loops over the sockets in C++.

import {
  Close,
  PROTOCOL_VERSION,
  RESUME_MAX_MESSAGES,
  encodeServerMessage,
  type ChatMessage,
  type Continuity,
  type ChatSend,
  type ReactionEmoji,
  type ServerMessage,
} from '@fanfare/protocol';
import {
  PresenceAggregator,
  ReactionAggregator,
  type Bus,
  type Clock,
  type EventLog,
  type LogEntry,
  type Sanction,
  type SanctionStore,
  type Subjects,
  type Subscription,
  type TimerHandle,
} from '@fanfare/fanout';
import { chatMessageFromEntry, encodeChatRecord } from './chat-record.js';
import type { GatewayConfig } from './config.js';
import type { IdSource } from './ids.js';
import type { GatewayMetrics } from './metrics.js';
import type { Logger } from '@fanfare/fanout';
import { stitchResume, type ResumePlan } from './resume.js';
import { sweepSockets, type SweepResult } from './backpressure.js';
import { RoomSanctions } from './room-sanctions.js';
import { sendError, sendTo, type Socket } from './send.js';
import { endSession, type Session } from './session.js';
import { take } from './token-bucket.js';
import type { Uws } from './uws.js';

type RoomState = 'new' | 'loading' | 'ready' | 'closed';

export interface RoomDeps {
  app: Uws.TemplatedApp;
  log: EventLog;
  bus: Bus;
  sanctions: SanctionStore;
  subjects: Subjects;
  clock: Clock;
  config: GatewayConfig;
  ids: IdSource;
  logger: Logger;
  metrics: GatewayMetrics;
}

export class EventRoom {
  readonly eventId: string;
  /** uWS topic for ordered frames (chat): never dropped for a connected fan. */
  readonly orderedTopic: string;
  /** uWS topic for superseded frames (reactions, presence): dropped first for slow fans. */
  readonly signalTopic: string;
  #deps: RoomDeps;
  #state: RoomState = 'new';
  #sockets = new Set<Socket>();
  /** Recent chat already published to the ordered topic, oldest first. */
  #recent: ChatMessage[] = [];
  #publishedSeq = 0;
  /** Arrived from the log, waiting for the next batch flush. */
  #pending: ChatMessage[] = [];
  #flushTimer: TimerHandle | undefined;
  #follow: Subscription | undefined;
  #reactions: ReactionAggregator;
  #presence: PresenceAggregator;
  #sanctions: RoomSanctions;
  #viewers = 0;

  constructor(eventId: string, deps: RoomDeps) {
    this.eventId = eventId;
    this.#deps = deps;
    this.orderedTopic = `e/${eventId}`;
    this.signalTopic = `e/${eventId}/s`;
    const { bus, subjects, clock, config } = deps;
    this.#reactions = new ReactionAggregator({
      bus,
      subject: subjects.reactions(eventId),
      shardId: config.shardId,
      clock,
      windowMs: config.reactionWindowMs,
      onWindow: (counts) =>
        this.#broadcastSignal({ type: 'reactions', counts, windowMs: config.reactionWindowMs }),
    });
    this.#presence = new PresenceAggregator({
      bus,
      subject: subjects.presence(eventId),
      shardId: config.shardId,
      clock,
      intervalMs: config.presenceIntervalMs,
      onChange: (viewers) => {
        this.#viewers = viewers;
        this.#broadcastSignal({ type: 'presence', viewers });
      },
    });
    this.#sanctions = new RoomSanctions({
      eventId,
      store: deps.sanctions,
      bus,
      subject: subjects.sanctions(eventId),
      clock,
      logger: deps.logger,
      onChange: () => this.#enforceBans(),
    });
  }

  get size(): number {
    return this.#sockets.size;
  }

  /** Subscribes to the event's log and loads recent chat. Rejects if the log is unreachable. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`room ${this.eventId} already started`);
    this.#state = 'loading';
    // Follow first and buffer, then read: nothing appended in between can be missed.
    const early: LogEntry[] = [];
    this.#follow = this.#deps.log.follow(this.eventId, (entry) => {
      if (this.#state === 'loading') early.push(entry);
      else if (this.#state === 'ready') this.#accept(entry);
    });
    // Never rejects: without the store, the room starts with no sanctions and keeps trying.
    const sanctionsRead = this.#sanctions.start();
    let history: LogEntry[];
    try {
      history = await this.#deps.log.readLast(this.eventId, this.#deps.config.recentMessages);
      await sanctionsRead;
    } catch (err) {
      this.close();
      throw err;
    }
    if (this.#state !== 'loading') return; // closed while loading
    for (const entry of history) {
      const message = chatMessageFromEntry(entry);
      if (message) this.#recent.push(message);
      this.#publishedSeq = entry.seq;
    }
    this.#state = 'ready';
    for (const entry of early) this.#accept(entry);
    this.#reactions.start();
    this.#presence.start();
  }

  /**
   * Works out, during the upgrade, how to close the gap of a fan that last saw `since`. Reads
   * the log only when the recent buffer does not reach back far enough.
   */
  async prepareResume(since: number): Promise<ResumePlan> {
    const lastKnown = Math.max(this.#publishedSeq, this.#pending.at(-1)?.seq ?? 0);
    const firstRecent = this.#recent[0]?.seq ?? this.#publishedSeq + 1;
    if (since <= lastKnown && firstRecent <= since + 1) return { since, lost: false, fetched: [] };
    if (lastKnown - since > RESUME_MAX_MESSAGES) return { since, lost: true };
    const range = await this.#deps.log.readAfter(this.eventId, since, RESUME_MAX_MESSAGES);
    // Ahead of the log means the log started over (an embedded restart): nothing to resume.
    if (since > range.lastSeq) return { since, lost: true };
    // Past retention: the oldest entry kept is newer than the first one the fan needs.
    if (range.lastSeq > since && range.entries[0]?.seq !== since + 1) return { since, lost: true };
    const fetched: ChatMessage[] = [];
    for (const entry of range.entries) {
      const message = chatMessageFromEntry(entry);
      if (message) fetched.push(message);
    }
    return { since, lost: false, fetched };
  }

  /** Adds an open socket: subscribes it and sends the welcome snapshot. */
  attach(ws: Socket, session: Session): void {
    this.#sockets.add(ws);
    ws.subscribe(this.orderedTopic);
    ws.subscribe(this.signalTopic);
    this.#presence.setLocal(this.#sockets.size);
    let continuity: Continuity = 'fresh';
    let chat = this.#recent.slice(-this.#deps.config.snapshotMessages);
    if (session.resume) {
      const resumed = stitchResume(session.resume, this.#recent, this.#publishedSeq);
      if (resumed) ({ continuity, chat } = resumed);
      else continuity = 'lost';
      session.resume = undefined;
    }
    this.#deps.metrics.welcomes.inc({ continuity });
    sendTo(ws, session, {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      sessionId: session.sessionId,
      eventId: this.eventId,
      user: session.user,
      serverTime: this.#deps.clock.now(),
      snapshot: {
        continuity,
        // Only what was already published: pending messages reach this fan through the topic.
        chat,
        lastSeq: this.#publishedSeq,
        viewers: this.#presence.total(),
        reactions: this.#reactions.latest(),
      },
    });
  }

  /** Removes a closed socket (uWS has already unsubscribed it). */
  detach(ws: Socket): void {
    this.#sockets.delete(ws);
    this.#presence.setLocal(this.#sockets.size);
  }

  /** The ban or timeout in force for `userId` now, if any. */
  sanctionOf(userId: string): Sanction | undefined {
    return this.#sanctions.of(userId, this.#deps.clock.now());
  }

  /** Admits, stores and acknowledges one chat message. Refusals become error frames. */
  async chat(ws: Socket, session: Session, msg: ChatSend): Promise<void> {
    const { clock, ids, log, logger } = this.#deps;
    const sanction = this.sanctionOf(session.user.id);
    if (sanction?.kind === 'ban') return endSession(ws, session, Close.banned, 'banned');
    if (sanction?.kind === 'timeout') {
      this.#deps.metrics.chatRefused.inc({ code: 'timed_out' });
      sendError(ws, session, 'timed_out', 'a moderator timed you out of chat', {
        ref: msg.ref,
        retryAfterMs: Math.max(0, (sanction.until ?? clock.now()) - clock.now()),
      });
      return;
    }
    const verdict = session.chat.admit(msg.text, clock.now(), msg.key);
    if (!verdict.ok) {
      this.#deps.metrics.chatRefused.inc({ code: verdict.code });
      if (verdict.code === 'rate_limited') {
        sendError(ws, session, 'rate_limited', 'slow down: chat rate limit reached', {
          ref: msg.ref,
          retryAfterMs: verdict.retryAfterMs,
        });
      } else {
        sendError(ws, session, 'duplicate_message', 'you sent the same message just now', {
          ref: msg.ref,
        });
      }
      return;
    }
    const id = ids.next();
    const record = encodeChatRecord({ kind: 'chat', id, author: session.user, text: msg.text });
    // A client key makes a retry idempotent; scoped to the user so fans cannot collide.
    const msgId = msg.key === undefined ? id : `k:${session.user.id}:${msg.key}`;
    try {
      const position = await log.append(this.eventId, record, msgId);
      if (position.duplicate)
        session.chat.forget(msg.text); // nothing new: costs no budget
      else this.#deps.metrics.chatAccepted.inc();
      if (msg.ref === undefined) return;
      if (!position.duplicate) {
        sendTo(ws, session, { type: 'ack', ref: msg.ref, id, seq: position.seq });
        return;
      }
      const first = await this.#messageAt(position.seq);
      sendTo(ws, session, {
        type: 'ack',
        ref: msg.ref,
        id: first?.id ?? id,
        seq: position.seq,
        duplicate: true,
      });
    } catch (err) {
      session.chat.forget(msg.text);
      this.#deps.metrics.chatRefused.inc({ code: 'unavailable' });
      logger.warn('chat append failed', { eventId: this.eventId, err });
      sendError(ws, session, 'unavailable', 'chat is briefly unavailable; nothing was sent', {
        ref: msg.ref,
        retryAfterMs: 1000,
      });
    }
  }

  /** The chat message at `seq`: from the recent buffer, else from the log. */
  async #messageAt(seq: number): Promise<ChatMessage | undefined> {
    const recent =
      this.#recent.find((m) => m.seq === seq) ?? this.#pending.find((m) => m.seq === seq);
    if (recent) return recent;
    const range = await this.#deps.log.readAfter(this.eventId, seq - 1, 1);
    const entry = range.entries[0];
    return entry ? chatMessageFromEntry(entry) : undefined;
  }

  /** Counts taps from one fan, within that fan's reaction budget. */
  react(ws: Socket, session: Session, emoji: ReactionEmoji, count: number): void {
    const { config, clock } = this.#deps;
    const wait = take(session.reactions, config.reactions, clock.now(), count);
    if (wait > 0) {
      sendError(
        ws,
        session,
        'reaction_rate_limited',
        'too many reactions; these were not counted',
        {
          retryAfterMs: wait,
        },
      );
      return;
    }
    this.#reactions.tap(emoji, count);
  }

  /** Applies the slow-consumer policy to this room's sockets (see backpressure.ts). */
  sweep(closeSlow: (ws: Socket) => void): SweepResult {
    return sweepSockets(this.#sockets, this.signalTopic, this.#deps.config.backpressure, closeSlow);
  }

  /** A lagging socket drained: resume superseded frames, starting with the latest values. */
  drained(ws: Socket, session: Session): void {
    if (!session.lagging || session.closed) return;
    if (ws.getBufferedAmount() > this.#deps.config.backpressure.signalResumeBytes) return;
    session.lagging = false;
    ws.subscribe(this.signalTopic);
    sendTo(ws, session, { type: 'presence', viewers: this.#viewers || this.#presence.total() });
  }

  sockets(): IterableIterator<Socket> {
    return this.#sockets.values();
  }

  /** Stops all subscriptions and timers. Sockets must have been closed by the caller. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#follow?.unsubscribe();
    this.#reactions.close();
    this.#presence.close();
    this.#sanctions.close();
    if (this.#flushTimer) this.#deps.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#pending = [];
  }

  /** Ends the sessions of every banned fan here (the copy of the sanctions just changed). */
  #enforceBans(): void {
    if (this.#state === 'closed' || !this.#sanctions.hasBans) return;
    for (const ws of this.#sockets) {
      const session = ws.getUserData();
      if (this.sanctionOf(session.user.id)?.kind === 'ban') {
        endSession(ws, session, Close.banned, 'banned');
      }
    }
  }

  #accept(entry: LogEntry): void {
    const message = chatMessageFromEntry(entry);
    if (!message || message.seq <= this.#publishedSeq) return;
    if (this.#pending.length > 0 && message.seq <= this.#pending.at(-1)!.seq) return;
    this.#pending.push(message);
    if (this.#deps.config.chatBatchMs === 0) this.#flush();
    else
      this.#flushTimer ??= this.#deps.clock.setTimeout(
        () => this.#flush(),
        this.#deps.config.chatBatchMs,
      );
  }

  #flush(): void {
    this.#flushTimer = undefined;
    if (this.#pending.length === 0 || this.#state !== 'ready') return;
    const messages = this.#pending;
    this.#pending = [];
    this.#deps.app.publish(this.orderedTopic, encodeServerMessage({ type: 'chat', messages }));
    this.#publishedSeq = messages.at(-1)!.seq;
    this.#recent.push(...messages);
    // Trimmed in steps, not per message: one copy per `keep` messages.
    const keep = this.#deps.config.recentMessages;
    if (this.#recent.length > keep * 2) this.#recent = this.#recent.slice(-keep);
  }

  #broadcastSignal(message: ServerMessage): void {
    if (this.#state === 'ready')
      this.#deps.app.publish(this.signalTopic, encodeServerMessage(message));
  }
}
