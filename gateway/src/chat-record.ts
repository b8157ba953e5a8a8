// What the gateway stores in the event log for one chat message: everything but the position,
// which the log assigns. Shards turn records into ChatMessages when they arrive.

import type { Author, ChatMessage } from '@fanfare/protocol';
import type { LogEntry } from '@fanfare/fanout';

export interface ChatRecord {
  kind: 'chat';
  id: string;
  author: Author;
  text: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeChatRecord(record: ChatRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

/** The fan-facing message for a log entry, or undefined for records that are not chat. */
export function chatMessageFromEntry(entry: LogEntry): ChatMessage | undefined {
  let record: ChatRecord;
  try {
    record = JSON.parse(decoder.decode(entry.data)) as ChatRecord;
  } catch {
    return undefined; // Written by something else; the log is shared with other record kinds.
  }
  if (record?.kind !== 'chat') return undefined;
  return { id: record.id, seq: entry.seq, ts: entry.ts, author: record.author, text: record.text };
}
