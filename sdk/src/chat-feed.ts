// The event's ordered feed as the client delivers it: messages and deletions, each seq exactly
// once and in order, across sessions. It owns the position (epoch, lastSeq) of what the app has
// been given, sent as `?since=&epoch=` on reconnect: a seq counts only within its epoch, so a
// log that started over is never taken for a continuation. Delivery stops as soon as `open()`
// turns false: an app handler may close the client mid-batch, and nothing may be delivered after.

import type {
  ChatBatch,
  ChatMessage,
  Snapshot,
  StreamPosition,
  Tombstone,
} from '@fanfare/protocol';
import { sequenceBatch, type SequencedBatch } from './chat-sequence.js';

export interface FeedSink {
  chat(message: ChatMessage): void;
  deleted(tombstone: Tombstone): void;
}

/** How a live batch went: stopped by the app, or delivered (up to a gap, if it had one). */
export type BatchOutcome = { stopped: true } | { stopped: false; gap: SequencedBatch['gap'] };

export class ChatFeed {
  #sink: FeedSink;
  #lastSeq: number | undefined;
  #epoch: string | undefined;

  constructor(sink: FeedSink) {
    this.#sink = sink;
  }

  /** The highest seq delivered; undefined before the first welcome. */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }

  /** The epoch `lastSeq` counts in; undefined before the first welcome. */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /** Where to resume from (`since` and `epoch`); undefined before the first welcome. */
  get position(): StreamPosition | undefined {
    if (this.#lastSeq === undefined || this.#epoch === undefined) return undefined;
    return { epoch: this.#epoch, seq: this.#lastSeq };
  }

  /**
   * Delivers a welcome's snapshot. Resumed (in the epoch the feed holds): skips what the app already has (a shard behind
   * another may repeat a few). Fresh or lost: starts over from the snapshot. Deletions come
   * after the messages, as in a live frame; the snapshot's chat already leaves deleted messages
   * out, so these only matter for messages the app got before the drop. Returns false if
   * stopped.
   */
  snapshot(snapshot: Snapshot, open: () => boolean): boolean {
    const { continuity, chat, deleted = [], lastSeq, epoch } = snapshot;
    // A resume is only ever answered in the epoch asked for; anything else starts over.
    const resumed = continuity === 'resumed' && epoch === this.#epoch;
    const had = resumed ? (this.#lastSeq ?? 0) : 0;
    this.#lastSeq = had;
    this.#epoch = epoch;
    for (const message of chat) {
      if (!open()) return false;
      if (message.seq <= this.#lastSeq) continue;
      this.#lastSeq = message.seq;
      this.#sink.chat(message);
    }
    for (const tombstone of deleted) {
      if (!open()) return false;
      if (tombstone.seq <= had) continue;
      this.#lastSeq = Math.max(this.#lastSeq, tombstone.seq);
      this.#sink.deleted(tombstone);
    }
    if (!open()) return false;
    this.#lastSeq = Math.max(this.#lastSeq, lastSeq);
    return true;
  }

  /**
   * Delivers a live batch. Within a session seqs arrive without gaps, over messages and
   * deletions together; a gap means the session cannot be trusted: what precedes it is
   * delivered, and the caller starts a new session resuming from `lastSeq`.
   */
  batch(batch: ChatBatch, open: () => boolean): BatchOutcome {
    const fresh = sequenceBatch(this.#lastSeq ?? 0, batch.messages, batch.deleted);
    for (const message of fresh.messages) {
      if (!open()) return { stopped: true };
      this.#lastSeq = Math.max(this.#lastSeq ?? 0, message.seq);
      this.#sink.chat(message);
    }
    for (const tombstone of fresh.deleted) {
      if (!open()) return { stopped: true };
      this.#lastSeq = Math.max(this.#lastSeq ?? 0, tombstone.seq);
      this.#sink.deleted(tombstone);
    }
    if (!open()) return { stopped: true };
    this.#lastSeq = fresh.lastSeq;
    return { stopped: false, gap: fresh.gap };
  }
}
