// One event's ordered log as one shard serves it: follows the log, batches what arrives into
// `chat` frames on the room's ordered topic (messages and tombstones together, so the seqs a
// connected fan sees stay gap-free), and keeps a buffer of recent messages for welcomes and
// resumes. The buffer forgets deleted messages, so fresh snapshots never show them; the live
// batches are not filtered, since a connected fan already has the message and needs the tombstone.

import {
  RESUME_MAX_MESSAGES,
  encodeServerMessage,
  type ChatBatch,
  type ChatMessage,
  type Tombstone,
} from '@fanfare/protocol';
import type { Clock, EventLog, LogEntry, Subscription, TimerHandle } from '@fanfare/fanout';
import type { GatewayConfig } from './config.js';
import { logItem, stitchResume, type LogItem, type ResumePlan, type Resumed } from './resume.js';

type TimelineState = 'new' | 'loading' | 'ready' | 'closed';

export interface RoomTimelineDeps {
  eventId: string;
  log: EventLog;
  clock: Clock;
  config: GatewayConfig;
  /** Broadcasts an encoded `chat` frame on the room's ordered topic. */
  publish: (frame: string) => void;
}

export class RoomTimeline {
  #deps: RoomTimelineDeps;
  #state: TimelineState = 'new';
  #follow: Subscription | undefined;
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
    this.#recentFrom = history[0]?.seq ?? 1;
    const items = history.map(logItem);
    this.#remember(items);
    this.#publishedSeq = items.at(-1)?.seq ?? 0;
    this.#state = 'ready';
    for (const entry of early) this.#accept(entry);
  }

  /** The most recent `n` messages published (never a deleted one). */
  latest(n: number): ChatMessage[] {
    return this.#recent.slice(-n);
  }

  /**
   * Works out, during the upgrade, how to close the gap of a fan that last saw `since`. Reads
   * the log only when the recent buffer does not reach back far enough.
   */
  async prepareResume(since: number): Promise<ResumePlan> {
    const lastKnown = Math.max(this.#publishedSeq, this.#pending.at(-1)?.seq ?? 0);
    if (since <= lastKnown && this.#recentFrom <= since + 1) {
      return { since, lost: false, fetched: [] };
    }
    if (lastKnown - since > RESUME_MAX_MESSAGES) return { since, lost: true };
    const { log, eventId } = this.#deps;
    const range = await log.readAfter(eventId, since, RESUME_MAX_MESSAGES);
    // Ahead of the log means the log started over (an embedded restart): nothing to resume.
    if (since > range.lastSeq) return { since, lost: true };
    // Past retention: the oldest entry kept is newer than the first one the fan needs.
    if (range.lastSeq > since && range.entries[0]?.seq !== since + 1) return { since, lost: true };
    return { since, lost: false, fetched: range.entries.map(logItem) };
  }

  /** Finishes a resume at open, against what has been published by now. */
  stitch(plan: ResumePlan): Resumed | undefined {
    return stitchResume(plan, {
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
    return entry?.seq === seq ? logItem(entry).message?.id : undefined;
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
    const lastSeen = this.#pending.at(-1)?.seq ?? this.#publishedSeq;
    if (entry.seq <= lastSeen) return;
    this.#pending.push(logItem(entry));
    const { config, clock } = this.#deps;
    if (config.chatBatchMs === 0) this.#flush();
    else this.#flushTimer ??= clock.setTimeout(() => this.#flush(), config.chatBatchMs);
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
