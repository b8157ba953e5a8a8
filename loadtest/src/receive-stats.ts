// What one generator process counts about the frames its fans receive: deliveries and their
// latency, duplicates and reorders per fan, and every other frame by type. Kept free of sockets
// so the accounting rules can be tested on their own.

import type { ServerMessageType } from '@fanfare/protocol';
import type { ChatScan } from './frame-reader.js';
import { Histogram } from './histogram.js';
import type { SeqTracker } from './seq-tracker.js';

/** Frame labels beside the server message types. */
export type OtherFrame = 'binary' | 'unreadable';

export class ReceiveStats {
  /** Bench messages received for the first time (late ones included). */
  delivered = 0;
  duplicates = 0;
  reordered = 0;
  foreign = 0;
  acks = 0;
  /** Error frames answering one of our `chat.send` frames (they carry its `ref`). */
  rejected = 0;
  /** Shared-clock time of the last delivery, ms; 0 before any. */
  lastDeliveryAtMs = 0;
  readonly latency = new Histogram();
  readonly frames: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  /** The first message seen per error code, to say what went wrong. */
  readonly errorMessages: Record<string, string> = {};

  countFrame(type: ServerMessageType | OtherFrame): void {
    this.frames[type] = (this.frames[type] ?? 0) + 1;
  }

  /** `code`: the error frame's code (any server's), or `undecodable`. */
  countError(code: string, answersOurSend: boolean, message = ''): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
    this.errorMessages[code] ??= message;
    if (answersOurSend) this.rejected++;
  }

  /** Accounts one chat frame received at `nowMs` by the fan whose stream `seq` tracks. */
  countChat(chat: ChatScan, seq: SeqTracker, nowMs: number): void {
    let delivered = false;
    for (let i = 0; i < chat.count; i++) {
      const verdict = seq.observe(chat.seqs[i]!);
      if (verdict === 'duplicate') {
        this.duplicates++;
        continue;
      }
      if (verdict === 'late') this.reordered++;
      const sendTimeMs = chat.sendTimes[i]!;
      if (Number.isNaN(sendTimeMs)) {
        this.foreign++;
        continue;
      }
      this.delivered++;
      this.latency.record(nowMs - sendTimeMs);
      delivered = true;
    }
    if (delivered) this.lastDeliveryAtMs = nowMs;
  }
}
