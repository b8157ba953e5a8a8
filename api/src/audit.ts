// One line per staff action in the audit log (who, what, when, why). Routes call `recordAudit`
// after the action took effect; a failure to write the entry is logged and does not undo the
// action (a ban must hold even if Postgres blinks), so the log is complete except across a
// database outage, which the error log then records.

import type { AuditLog } from '@fanfare/db';
import type { Logger } from '@fanfare/fanout';
import type { Staff } from './staff-auth.js';

/** Stable action names (dotted verbs); docs/api.md lists them. */
export const AUDIT_ACTIONS = [
  'event.create',
  'event.update',
  'event.transition',
  'event.chat_rules',
  'chat.delete',
  'chat.pin',
  'chat.unpin',
  'sanction.impose',
  'sanction.lift',
  'poll.open',
  'poll.close',
  'poll.cancel',
  'poll.auto_close',
  'ticket.issue',
  'credential.create',
  'credential.revoke',
  'stream.key_rotate',
  'webrtc.ingest',
  'webrtc.egress',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditRecord {
  eventId: string | null;
  action: AuditAction;
  target?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** The actor of actions the system takes by itself (a poll closing at its deadline). */
export const SYSTEM_ACTOR: Pick<Staff, 'id' | 'role'> = { id: 'system', role: 'sre' };

export async function recordAudit(
  audit: AuditLog,
  logger: Logger,
  actor: Pick<Staff, 'id'> & { role: string },
  record: AuditRecord,
): Promise<void> {
  try {
    await audit.append({
      eventId: record.eventId,
      actorId: actor.id,
      actorRole: actor === SYSTEM_ACTOR ? 'system' : actor.role,
      action: record.action,
      target: record.target ?? null,
      reason: record.reason ?? null,
      details: record.details ?? {},
    });
  } catch (err) {
    logger.error('audit entry not written', { ...record, actorId: actor.id, err });
  }
}
