// What an event's ordered log holds, record by record: everything but the position, which the log
// assigns. Gateways append chat; the API appends deletions; shards and the chat archiver read both.
// Every record is fan-visible (a message or a tombstone), so the seqs a fan sees have no gaps.

import type { Author } from '@fanfare/protocol';
import type { LogEntry } from './event-log.js';

export interface ChatRecord {
  kind: 'chat';
  id: string;
  author: Author;
  text: string;
}

/** A moderator deleted chat message `id`; it is hidden from everyone from here on. */
export interface DeleteRecord {
  kind: 'delete';
  /** The id of the message deleted. */
  id: string;
  /** The seq of the message deleted. */
  target: number;
  /** Staff user who deleted it. */
  by: string;
}

export type LogRecord = ChatRecord | DeleteRecord;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeLogRecord(record: LogRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

/** The record in a log entry, or undefined when it is none this version knows. */
export function decodeLogRecord(entry: LogEntry): LogRecord | undefined {
  let record: Partial<LogRecord> | null;
  try {
    record = JSON.parse(decoder.decode(entry.data)) as Partial<LogRecord> | null;
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== 'object' || typeof record.id !== 'string') {
    return undefined;
  }
  if (record.kind === 'chat' && typeof record.text === 'string' && record.author) {
    return record as ChatRecord;
  }
  if (record.kind === 'delete' && typeof record.target === 'number') return record as DeleteRecord;
  return undefined;
}

/** The dedupe key of the deletion of message `id`: deleting twice appends once. */
export function deleteMsgId(id: string): string {
  return `del:${id}`;
}
