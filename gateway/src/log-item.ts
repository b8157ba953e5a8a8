// One event-log entry as fans see it: a chat message, a tombstone, or neither (a record this
// version does not know, which still takes its seq). The live path (RoomTimeline's batches) and
// resumes (log reads) both read the log through this.

import type { ChatMessage, Tombstone } from '@fanfare/protocol';
import { decodeLogRecord, type LogEntry } from '@fanfare/fanout';

export interface LogItem {
  seq: number;
  /** When the log accepted the record, ms (the log's clock). */
  ts: number;
  message?: ChatMessage;
  tombstone?: Tombstone;
}

export function logItem(entry: LogEntry): LogItem {
  const record = decodeLogRecord(entry);
  const { seq, ts } = entry;
  if (record?.kind === 'chat') {
    return {
      seq,
      ts,
      message: { id: record.id, seq, ts, author: record.author, text: record.text },
    };
  }
  if (record?.kind === 'delete') return { seq, ts, tombstone: { seq, id: record.id } };
  return { seq, ts };
}
