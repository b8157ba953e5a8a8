// One live event as seen by one shard: the shard's fans in it, and the event's subscriptions on
// the bus and the log. Exists only while the shard has fans in the event (the RoomRegistry opens
// and closes it). Encode once, send many: every broadcast is serialised once and handed to uWS
// `publish`, which loops over the sockets in C++. The concerns live in their own parts: the
// ordered log (RoomTimeline), sanctions (RoomSanctions), the stage (RoomStage), polls and
// tallies (RoomPolls) and chat admission (RoomChat: chat rules, the fan's guard, the ingest cap).

import {
  Close,
  PROTOCOL_VERSION,
  encodeServerMessage,
  encodeWelcome,
  type ChatSend,
  type Continuity,
  type ReactionEmoji,
  type ResumeFrom,
  type ServerMessage,
  type Snapshot,
  type Vote,
  type Welcome,
} from '@fanfare/protocol';
import {
  PresenceAggregator,
  ReactionAggregator,
  type Bus,
  type Clock,
  type EventLog,
  type Logger,
  type Sanction,
  type SanctionStore,
  type Stage,
  type StageStore,
  type Subjects,
  type VoteStore,
} from '@fanfare/fanout';
import { sweepSockets, type SweepResult } from './backpressure.js';
import type { GatewayConfig } from './config.js';
import type { IdSource } from './ids.js';
import type { GatewayMetrics } from './metrics.js';
import type { ResumePlan } from './resume-plan.js';
import { RoomChat } from './room-chat.js';
import { RoomPolls } from './room-polls.js';
import { RoomSanctions } from './room-sanctions.js';
import { RoomStage } from './room-stage.js';
import { RoomTimeline } from './room-timeline.js';
import { sendEncoded, sendError, sendTo } from './send.js';
import { bucketOf, endSession, sessionOf, type Session, type Socket } from './session.js';
import { take } from './token-bucket.js';
import { WelcomeSnapshots } from './welcome-snapshot.js';
import type { Uws } from './uws.js';

type RoomState = 'new' | 'loading' | 'ready' | 'closed';

/** Positions whose resumed snapshot a room keeps serialised (a storm's fans share a few). */
const RESUMED_SNAPSHOT_POSITIONS = 16;

export interface RoomDeps {
  app: Uws.TemplatedApp;
  log: EventLog;
  bus: Bus;
  sanctions: SanctionStore;
  stages: StageStore;
  votes: VoteStore;
  subjects: Subjects;
  clock: Clock;
  config: GatewayConfig;
  ids: IdSource;
  logger: Logger;
  metrics: GatewayMetrics;
}

export class EventRoom {
  readonly eventId: string;
  /** uWS topic for ordered frames (chat, stage): never dropped for a connected fan. */
  readonly orderedTopic: string;
  /** uWS topic for superseded frames (reactions, presence, tallies): dropped first for slow fans. */
  readonly signalTopic: string;
  #deps: RoomDeps;
  #state: RoomState = 'new';
  #sockets = new Set<Socket>();
  #timeline: RoomTimeline;
  #reactions: ReactionAggregator;
  #presence: PresenceAggregator;
  #sanctions: RoomSanctions;
  #stage: RoomStage;
  #polls: RoomPolls;
  #chat: RoomChat;
  #viewers = 0;
  #snapshots = new WelcomeSnapshots();
  /** Resumed snapshots by the position resumed from (oldest first, at most a few). */
  #resumed = new Map<number, WelcomeSnapshots>();

  constructor(eventId: string, deps: RoomDeps) {
    this.eventId = eventId;
    this.#deps = deps;
    this.orderedTopic = `e/${eventId}`;
    this.signalTopic = `e/${eventId}/s`;
    const { app, bus, subjects, clock, config, logger } = deps;
    this.#timeline = new RoomTimeline({
      eventId,
      log: deps.log,
      clock,
      config,
      publish: (frame) => app.publish(this.orderedTopic, frame),
      fanout: deps.metrics.fanout,
      startedOver: (epoch) => this.#logStartedOver(epoch),
    });
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
      logger,
      onChange: () => this.#enforceBans(),
    });
    this.#polls = new RoomPolls({
      eventId,
      votes: deps.votes,
      clock,
      config,
      logger,
      metrics: deps.metrics,
      publish: (frame) => this.#broadcastSignal(frame),
    });
    this.#stage = new RoomStage({
      eventId,
      store: deps.stages,
      bus,
      subject: subjects.stage(eventId),
      clock,
      logger,
      onChange: (stage) => this.#stageChanged(stage),
    });
    this.#chat = new RoomChat(
      {
        eventId,
        log: deps.log,
        clock,
        config,
        ids: deps.ids,
        logger,
        metrics: deps.metrics,
        sanctionOf: (userId) => this.sanctionOf(userId),
        audience: () => ({ local: this.#sockets.size, total: this.#presence.total() }),
        idAt: (seq) => this.#timeline.idAt(seq),
      },
      this.#stage.current,
    );
    this.#polls.setStage(this.#stage.current.view);
  }

  get size(): number {
    return this.#sockets.size;
  }

  /** The event's stage as this shard holds it now. */
  get stage(): Stage {
    return this.#stage.current;
  }

  /** Follows the event's log, loads recent chat, sanctions and stage. Rejects if the log is unreachable. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`room ${this.eventId} already started`);
    this.#state = 'loading';
    // Never reject: without their stores, the room starts with the defaults and keeps trying.
    const sanctionsRead = this.#sanctions.start();
    const stageRead = this.#stage.start();
    try {
      await this.#timeline.start();
      await Promise.all([sanctionsRead, stageRead]);
    } catch (err) {
      this.close();
      throw err;
    }
    if (this.#state !== 'loading') return; // closed while loading
    this.#state = 'ready';
    this.#reactions.start();
    this.#presence.start();
  }

  /** Works out, during the upgrade, how to close the gap of a fan that last saw `from`. */
  prepareResume(from: ResumeFrom): Promise<ResumePlan> {
    return this.#timeline.prepareResume(from);
  }

  /** Adds an open socket: subscribes it and sends the welcome snapshot. */
  attach(ws: Socket, session: Session): void {
    this.#sockets.add(ws);
    ws.subscribe(this.orderedTopic);
    ws.subscribe(this.signalTopic);
    this.#presence.setLocal(this.#sockets.size);
    let snapshot: string | undefined;
    let continuity: Continuity = 'fresh';
    const plan = session.resume;
    if (plan) {
      const resumed = this.#timeline.stitch(plan);
      session.resume = undefined;
      if (resumed && (resumed.deleted === undefined || resumed.deleted.length === 0)) {
        // The chat since `since`: the same for every fan that dropped at the same position, so
        // a storm of them shares one serialisation per room change (welcome-snapshot.ts).
        continuity = resumed.continuity;
        const parts = { continuity, ...this.#snapshotParts(), chat: () => resumed.chat };
        snapshot = this.#resumedSnapshots(plan.since).encode(parts);
      } else if (resumed) {
        continuity = resumed.continuity; // deletions in the gap: serialised for this fan alone
        const whole: Snapshot = { continuity, chat: resumed.chat, ...this.#snapshotParts() };
        whole.deleted = resumed.deleted;
        snapshot = JSON.stringify(whole);
      } else continuity = 'lost';
    }
    this.#deps.metrics.welcomes.inc({ continuity });
    // The room's latest state: serialised once per change and shared (welcome-snapshot.ts).
    snapshot ??= this.#snapshots.encode({
      continuity,
      ...this.#snapshotParts(),
      chat: () => this.#timeline.latest(this.#deps.config.snapshotMessages),
    });
    const welcome: Omit<Welcome, 'snapshot'> = {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      sessionId: session.sessionId,
      eventId: this.eventId,
      user: session.user,
      serverTime: this.#deps.clock.now(),
    };
    if (session.resumeTicket) {
      welcome.resumeTicket = session.resumeTicket;
      session.resumeTicket = undefined;
    }
    sendEncoded(ws, session, encodeWelcome(welcome, snapshot));
  }

  /** The shared serialiser of resumed snapshots from `since`; a few positions are kept. */
  #resumedSnapshots(since: number): WelcomeSnapshots {
    let snapshots = this.#resumed.get(since);
    if (snapshots === undefined) {
      if (this.#resumed.size >= RESUMED_SNAPSHOT_POSITIONS) {
        this.#resumed.delete(this.#resumed.keys().next().value!);
      }
      snapshots = new WelcomeSnapshots();
      this.#resumed.set(since, snapshots);
    }
    return snapshots;
  }

  /** The snapshot's fields that are the room's, whatever the fan's continuity and chat. */
  #snapshotParts(): Omit<Snapshot, 'continuity' | 'chat'> {
    // Only what was already published: pending records reach this fan through the topic.
    return {
      epoch: this.#timeline.epoch,
      lastSeq: this.#timeline.publishedSeq,
      stage: this.#stage.current.view,
      tallies: this.#polls.tallies(),
      viewers: this.#presence.total(),
      reactions: this.#reactions.latest(),
    };
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

  /** Admits, stores and acknowledges one chat message (see RoomChat). */
  chat(ws: Socket, session: Session, msg: ChatSend): Promise<void> {
    return this.#chat.send(ws, session, msg);
  }

  /** Records one fan's vote in a poll of this event (see RoomPolls). Banned fans cannot vote. */
  async vote(ws: Socket, session: Session, msg: Vote): Promise<void> {
    if (this.sanctionOf(session.user.id)?.kind === 'ban') {
      return endSession(ws, session, Close.banned, 'banned');
    }
    await this.#polls.vote(ws, session, msg, this.#stage.current.view.state);
  }

  /** Counts taps from one fan, within that fan's reaction budget. */
  react(ws: Socket, session: Session, emoji: ReactionEmoji, count: number): void {
    const { config, clock } = this.#deps;
    const now = clock.now();
    const bucket = bucketOf(session, 'reactions', config.reactions, now);
    const wait = take(bucket, config.reactions, now, count);
    if (wait > 0) {
      const message = 'too many reactions; these were not counted';
      sendError(ws, session, 'reaction_rate_limited', message, { retryAfterMs: wait });
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
    this.#polls.resend(ws, session);
  }

  sockets(): IterableIterator<Socket> {
    return this.#sockets.values();
  }

  /** Stops all subscriptions and timers. Sockets must have been closed by the caller. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#timeline.close();
    this.#reactions.close();
    this.#presence.close();
    this.#sanctions.close();
    this.#stage.close();
    this.#polls.close();
  }

  /** The log started over: these sessions count in the old epoch; they leave and close (4003). */
  #logStartedOver(epoch: string): void {
    if (this.#sockets.size > 0) this.#deps.logger.warn('event log started over', { epoch });
    for (const ws of this.#sockets) {
      ws.unsubscribe(this.orderedTopic); // nothing of the new history may reach them
      ws.unsubscribe(this.signalTopic);
      endSession(ws, sessionOf(ws), Close.logRestarted, 'log restarted');
    }
  }

  /** Ends the sessions of every banned fan here (the copy of the sanctions just changed). */
  #enforceBans(): void {
    if (this.#state === 'closed' || !this.#sanctions.hasBans) return;
    for (const ws of this.#sockets) {
      const session = sessionOf(ws);
      if (this.sanctionOf(session.user.id)?.kind === 'ban') {
        endSession(ws, session, Close.banned, 'banned');
      }
    }
  }

  /**
   * The event is ticketed: fans admitted while it was public and holding no ticket leave (4501),
   * as the upgrade would refuse them now. Staff and ticket holders stay.
   */
  #enforceTickets(): void {
    for (const ws of this.#sockets) {
      const session = sessionOf(ws);
      if (session.user.role === 'fan' && !session.entitlements.includes('ticketed')) {
        endSession(ws, session, Close.notEntitled, 'not entitled');
      }
    }
  }

  /** A newer stage arrived: rules take effect at once; fans get the view (never the rules). */
  #stageChanged(stage: Stage): void {
    if (this.#state === 'closed') return;
    this.#chat.setStage(stage);
    this.#polls.setStage(stage.view);
    if (stage.rules.access === 'ticketed') this.#enforceTickets();
    // Ordered, not signal: a fan must not miss a state change or a poll opening.
    this.#deps.app.publish(
      this.orderedTopic,
      encodeServerMessage({ type: 'stage', stage: stage.view }),
    );
  }

  #broadcastSignal(message: ServerMessage): void {
    if (this.#state === 'ready')
      this.#deps.app.publish(this.signalTopic, encodeServerMessage(message));
  }
}
