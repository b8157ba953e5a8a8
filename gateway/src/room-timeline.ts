// One event's ordered log as one shard serves it: follows the log, batches what arrives into
// `chat` frames on the room's ordered topic (messages and tombstones together, so the seqs a
// connected fan sees stay gap-free), and keeps a buffer of recent messages for welcomes and
// resumes. The buffer forgets deleted messages, so fresh snapshots never show them; the live
// batches are not filtered, since a connected fan already has the message and needs the tombstone.
// Everything it holds counts in one epoch of the log; an entry of another epoch means the log
// started over: the timeline drops what it held, tells the room (which ends its sessions, so no
// fan reads the new history as a continuation of the old), and goes on in the new epoch.

import {
  RESUME_MAX_MESSAGES,
  encodeServerMessage,
  type ChatBatch,
  type ChatMessage,
  type ResumeFrom,
  type Tombstone,
} from '@fanfare/protocol';
import type { Clock, EventLog, LogEntry, Subscription, TimerHandle } from '@fanfare/fanout';
import type { GatewayConfig } from './config.js';
import type { FanoutLatency } from './fanout-latency.js';
import { logItem, type LogItem } from './log-item.js';
import { stitchResume, type ResumePlan, type Resumed } from './resume-plan.js';

type TimelineState = 'new' | 'loading' | 'ready' | 'closed';

export interface RoomTimelineDeps {
  eventId: string;
  log: EventLog;
  clock: Clock;
  config: GatewayConfig;
  /** Broadcasts an encoded `chat` frame on the room's ordered topic. */
  publish: (frame: string) => void;
  /** Measures each published record's delay since the log accepted it. */
  fanout: FanoutLatency;
  /**
   * The log started over (epoch `epoch`): called before anything of the new history is
   * published, so the room can end the sessions counting in the old one.
   */
  startedOver: (epoch: string) => void;
}

export class RoomTimeline {
  #deps: RoomTimelineDeps;
  #state: TimelineState = 'new';
  #follow: Subscription | undefined;
  /** The log's epoch everything below counts in ('' until loaded). */
  #epoch = '';
  /** Recent messages already published, oldest first, without deleted ones. */
  #recent: ChatMessage[] = [];
  /** Recent deletions already published, oldest first (seq >= #recentFrom). */
  #recentDeleted: Tombstone[] = [];
  /** The first seq the recent buffer accounts for. */
  #recentFrom = 1;
  #publishedSeq = 0;
  /** Arrived from the log, waiting for the next batch flush. */
  #pending: LogItem[] = [];
  #flushTimer: TimerHandle | undefined;

  constructor(deps: RoomTimelineDeps) {
    this.#deps = deps;
  }

  /** The seq of the last record published to fans (messages and deletions alike). */
  get publishedSeq(): number {
    return this.#publishedSeq;
  }

  /** The epoch `publishedSeq` and the recent buffer count in. */
  get epoch(): string {
    return this.#epoch;
  }

  /** Follows the log and loads recent history. Rejects if the log is unreachable. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('timeline already started');
    this.#state = 'loading';
    const { log, eventId, config } = this.#deps;
    // Follow first and buffer, then read: nothing appended in between can be missed.
    const early: LogEntry[] = [];
    this.#follow = log.follow(eventId, (entry) => {
      if (this.#state === 'loading') early.push(entry);
      else if (this.#state === 'ready') this.#accept(entry);
    });
    const history = await log.readLast(eventId, config.recentMessages);
    if (this.#state !== 'loading') return; // closed while loading
    this.#epoch = history.epoch;
    this.#recentFrom = history.entries[0]?.seq ?? 1;
    const items = history.entries.map(logItem);
    this.#remember(items);
    this.#publishedSeq = items.at(-1)?.seq ?? 0;
    this.#state = 'ready';
    // An early entry of another epoch raced the read (the log started over meanwhile): the
    // follower delivers the new history again, so one history is kept, the one read.
    for (const entry of early) if (entry.epoch === this.#epoch) this.#accept(entry);
  }

  /** The most recent `n` messages published (never a deleted one). */
  latest(n: number): ChatMessage[] {
    return this.#recent.slice(-n);
  }

  /**
   * Works out, during the upgrade, how to close the gap of a fan that last saw `from`. Reads
   * the log only when the recent buffer does not reach back far enough. A position of another
   * epoch is lost. A bare seq (no epoch) is read as this epoch only when it is 0: a fan that saw
   * nothing continues any history, while a bare seq above 0 cannot be told from a seq of an
   * earlier history (the fan may have seen it on another shard, or before a restart).
   */
  async prepareResume(from: ResumeFrom): Promise<ResumePlan> {
    const since = from.seq;
    const epoch = this.#epoch;
    const proven = from.epoch === undefined ? since === 0 : from.epoch === epoch;
    if (!proven) return { since, lost: true };
    const lastKnown = Math.max(this.#publishedSeq, this.#pending.at(-1)?.seq ?? 0);
    if (since <= lastKnown && this.#recentFrom <= since + 1) {
      return { since, epoch, lost: false, fetched: [] };
    }
    if (lastKnown - since > RESUME_MAX_MESSAGES) return { since, lost: true };
    const { log, eventId } = this.#deps;
    const range = await log.readAfter(eventId, since, RESUME_MAX_MESSAGES);
    // The log started over since this room last heard from it: the fan's history is gone.
    if (range.epoch !== epoch) return { since, lost: true };
    // Ahead of the log, in its own epoch: records lost without a new epoch (see event-log.ts).
    if (since > range.lastSeq) return { since, lost: true };
    // Past retention: the oldest entry kept is newer than the first one the fan needs.
    if (range.lastSeq > since && range.entries[0]?.seq !== since + 1) return { since, lost: true };
    return { since, epoch, lost: false, fetched: range.entries.map(logItem) };
  }

  /** Finishes a resume at open, against what has been published by now. */
  stitch(plan: ResumePlan): Resumed | undefined {
    return stitchResume(plan, {
      epoch: this.#epoch,
      from: this.#recentFrom,
      messages: this.#recent,
      deleted: this.#recentDeleted,
      publishedSeq: this.#publishedSeq,
    });
  }

  /** The id of the chat message at `seq` (deleted or not): from memory, else from the log. */
  async idAt(seq: number): Promise<string | undefined> {
    const known =
      this.#recent.find((m) => m.seq === seq) ?? this.#pending.find((i) => i.seq === seq)?.message;
    if (known) return known.id;
    const range = await this.#deps.log.readAfter(this.#deps.eventId, seq - 1, 1);
    const entry = range.entries[0];
    return entry?.seq === seq && range.epoch === this.#epoch
      ? logItem(entry).message?.id
      : undefined;
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#follow?.unsubscribe();
    if (this.#flushTimer) this.#deps.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#pending = [];
  }

  #accept(entry: LogEntry): void {
    if (entry.epoch !== this.#epoch) this.#startOver(entry);
    const lastSeen = this.#pending.at(-1)?.seq ?? this.#publishedSeq;
    if (entry.seq <= lastSeen) return;
    this.#pending.push(logItem(entry));
    const { config, clock } = this.#deps;
    if (config.chatBatchMs === 0) this.#flush();
    else this.#flushTimer ??= clock.setTimeout(() => this.#flush(), config.chatBatchMs);
  }

  /**
   * The log started over: forget the old history (pending records included: nobody may read
   * them as part of the new one), tell the room, and count from `entry` on in the new epoch.
   * The recent buffer starts at `entry`, so a resume in the new epoch from before it reads the
   * log. Limit: a follower still delivering the old history after a read already saw the new
   * one would flip the epoch back and forth once; JetStream's follower checks the epoch at each
   * consumer start, which keeps that window to one round trip.
   */
  #startOver(entry: LogEntry): void {
    this.#epoch = entry.epoch;
    this.#pending = [];
    if (this.#flushTimer) this.#deps.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#recent = [];
    this.#recentDeleted = [];
    this.#recentFrom = entry.seq;
    this.#publishedSeq = entry.seq - 1;
    this.#deps.startedOver(entry.epoch);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    if (this.#pending.length === 0 || this.#state !== 'ready') return;
    const items = this.#pending;
    this.#pending = [];
    const frame: ChatBatch = { type: 'chat', messages: [] };
    const deleted: Tombstone[] = [];
    for (const item of items) {
      if (item.message) frame.messages.push(item.message);
      if (item.tombstone) deleted.push(item.tombstone);
    }
    if (deleted.length > 0) frame.deleted = deleted;
    // A batch of records this version does not know sends nothing; the next seq fans see
    // then skips theirs, which a client heals by resuming.
    if (frame.messages.length > 0 || deleted.length > 0) {
      this.#deps.publish(encodeServerMessage(frame));
      // One clock read per batch, one observation per record sent: none per fan.
      const sentAt = this.#deps.clock.now();
      for (const item of items) {
        if (item.message || item.tombstone) this.#deps.fanout.observe(item.ts, sentAt);
      }
    }
    this.#publishedSeq = items.at(-1)!.seq;
    this.#remember(items);
  }

  /** Adds published records to the recent buffer, dropping deleted messages from it. */
  #remember(items: readonly LogItem[]): void {
    let deletedIds: Set<string> | undefined;
    for (const item of items) {
      if (item.message) this.#recent.push(item.message);
      if (item.tombstone) {
        this.#recentDeleted.push(item.tombstone);
        (deletedIds ??= new Set()).add(item.tombstone.id);
      }
    }
    if (deletedIds) this.#recent = this.#recent.filter((m) => !deletedIds.has(m.id));
    // Trimmed in steps, not per message: one copy per `keep` messages.
    const keep = this.#deps.config.recentMessages;
    if (this.#recent.length > keep * 2) {
      this.#recent = this.#recent.slice(-keep);
      this.#recentFrom = this.#recent[0]!.seq;
      this.#recentDeleted = this.#recentDeleted.filter((t) => t.seq >= this.#recentFrom);
    }
  }
}
