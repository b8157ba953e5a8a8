// Chat moderation: `DELETE /v1/events/{id}/messages/{msgId}` and `PUT/DELETE /v1/events/{id}/pin`. A deletion is a record appended to the event's log (so
// every shard hides the message in log order, and fans resuming later never see it) plus a
// tombstone in the archive when the message is already there; the log's msgId dedupe makes a
// repeated delete append nothing. Pins are an event field: a compare-and-set write, then
// a new stage for every shard.

import { createRoute, z } from '@hono/zod-openapi';
import type { EventRecord, PinnedMessage } from '@fanfare/db';
import {
  consoleLogger,
  decodeLogRecord,
  deleteMsgId,
  encodeLogRecord,
  type DeleteRecord,
} from '@fanfare/fanout';
import type { AppDeps } from '../app-deps.js';
import { recordAudit } from '../audit.js';
import { jsonBodyLimit } from '../body-limit.js';
import { updateEventAtLatest } from '../event-update.js';
import { ApiError, bodyError } from '../problem.js';
import { textField } from '../text-field.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, pathId, problem } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

/** Largest delete or pin body accepted, bytes. */
export const MESSAGE_BODY_MAX_BYTES = 4 * 1024;
/** Longest reason kept with a deletion, and longest pinned notice, characters. */
export const REASON_MAX_CHARS = 500;
export const PIN_TEXT_MAX_CHARS = 500;
/** How far back in the log a message not yet archived is looked for, entries. */
export const RECENT_LOG_SCAN = 1000;
/** Seconds a caller refused because the event log is unreachable should wait. */
export const LOG_RETRY_AFTER_S = 1;
/** Longest message id accepted, characters (ids are server-made). */
export const MSG_ID_MAX_CHARS = 128;

const Reason = textField('multiline', REASON_MAX_CHARS);
const DeleteBody = z.object({ reason: Reason.optional() }).strict();

// A malformed msgId names no message: `message_not_found`, as an unknown one.
const MessageParams = EventIdParams.extend({
  msgId: pathId('msgId', MSG_ID_MAX_CHARS, 'm_01JD3Q4ZK8'),
});

const PinBody = z
  .object({
    msgId: z.string().min(1).max(MSG_ID_MAX_CHARS).optional().openapi({
      description: 'Pin this chat message (its text and author are copied)',
    }),
    text: textField('multiline', PIN_TEXT_MAX_CHARS)
      .optional()
      .openapi({ description: 'Or pin a notice of your own' }),
  })
  .strict()
  .refine((b) => (b.msgId === undefined) !== (b.text === undefined), {
    message: 'send exactly one of msgId and text',
  })
  .openapi('PinRequest');

const PinSchema = z
  .object({
    msgId: z.string().optional(),
    text: z.string(),
    authorName: z.string().optional(),
    pinnedBy: z.string(),
    pinnedAt: z.string().openapi({ description: 'ISO 8601' }),
  })
  .openapi('Pin');

/** A chat message found for moderation, in the archive or the recent log. */
interface FoundMessage {
  id: string;
  seq: number;
  text: string;
  authorName: string;
  archived: boolean;
  deleted: boolean;
}

const LOG_DOWN = { 503: problem('`unavailable`: the event log is unreachable; retry') };
const CONFLICT = { 409: problem('`version_conflict`: the event kept changing; retry') };

export function messageRoutes(deps: AppDeps) {
  const { db, log, stage } = deps;
  const logger = deps.logger ?? consoleLogger;
  const now = () => deps.clock?.now() ?? Date.now();
  const router = newRouter<{ Variables: StaffVariables }>();
  const moderators = requireStaff(deps.staff, ['moderator', 'producer']);

  /** Runs a log operation, turning an unreachable log into a retryable 503. */
  const logged = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw new ApiError('unavailable', 'the event log is unreachable; retry shortly', {
        cause: err,
        retryAfterS: LOG_RETRY_AFTER_S,
      });
    }
  };

  const getEvent = async (id: string): Promise<EventRecord> => {
    const event = await db.events.get(id);
    if (!event) throw new ApiError('event_not_found', 'no event with this id');
    return event;
  };

  /** The message from the archive, else from the newest RECENT_LOG_SCAN log entries. */
  const findMessage = async (eventId: string, msgId: string): Promise<FoundMessage> => {
    const row = await db.chat.find(eventId, msgId);
    if (row) {
      return {
        id: row.msgId,
        seq: row.seq,
        text: row.text,
        authorName: row.authorName,
        archived: true,
        deleted: row.deletedAt !== null,
      };
    }
    let found: FoundMessage | undefined;
    const recent = await logged(() => log.readLast(eventId, RECENT_LOG_SCAN));
    for (const entry of recent.entries) {
      const record = decodeLogRecord(entry);
      if (record?.id !== msgId) continue;
      if (record.kind === 'chat') {
        found ??= {
          id: msgId,
          seq: entry.seq,
          text: record.text,
          authorName: record.author.name,
          archived: false,
          deleted: false,
        };
      } else if (found) found.deleted = true;
    }
    if (!found) throw new ApiError('message_not_found', 'no chat message with this id');
    return found;
  };

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/events/{id}/messages/{msgId}',
      summary: 'Delete a chat message',
      description:
        'Hides it from every fan within a second and from history. The reason goes in ' +
        '`?reason=` or a JSON body `{"reason": "…"}`. Deleting twice changes nothing more.',
      security: BEARER,
      middleware: [jsonBodyLimit(MESSAGE_BODY_MAX_BYTES), moderators] as const,
      request: {
        params: MessageParams,
        query: z.object({ reason: Reason.optional() }),
      },
      responses: {
        200: {
          description: 'Deleted (or already deleted); `seq` is the deleted message’s',
          content: {
            'application/json': {
              schema: z.object({ deleted: z.string(), seq: z.number().int() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        404: problem('`event_not_found` or `message_not_found`'),
        413: problem('`payload_too_large`'),
        ...LOG_DOWN,
      },
    }),
    async (c) => {
      const { id, msgId } = c.req.valid('param');
      const raw = await c.req.text();
      let json: unknown = {};
      if (raw.trim() !== '') {
        try {
          json = JSON.parse(raw);
        } catch (err) {
          throw new ApiError('invalid_json', 'the request body is not valid JSON', { cause: err });
        }
      }
      const body = DeleteBody.safeParse(json);
      if (!body.success) {
        throw bodyError(body.error.issues, 'the request has invalid fields');
      }
      const reason = body.data.reason ?? c.req.valid('query').reason ?? null;
      const event = await getEvent(id);
      const message = await findMessage(id, msgId);
      const staff = c.var.staff;
      let appended = false;
      if (!message.deleted) {
        const record: DeleteRecord = {
          kind: 'delete',
          id: msgId,
          target: message.seq,
          by: staff.id,
        };
        const result = await logged(() =>
          log.append(id, encodeLogRecord(record), deleteMsgId(msgId)),
        );
        appended = !result.duplicate;
        if (message.archived) await db.chat.markDeleted(id, msgId, staff.id, new Date(now()));
      }
      // A deleted message must not stay pinned above the chat.
      let unpinned = false;
      if (event.pinnedMessage?.msgId === msgId) {
        await updateEventAtLatest(db.events, id, () => ({ pinnedMessage: null }));
        await stage.publish(id);
        unpinned = true;
      }
      if (appended || unpinned) {
        await recordAudit(db.audit, logger, staff, {
          eventId: id,
          action: 'chat.delete',
          target: msgId,
          reason,
          details: { seq: message.seq, ...(unpinned ? { unpinned } : {}) },
        });
      }
      return c.json({ deleted: msgId, seq: message.seq }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/v1/events/{id}/pin',
      summary: 'Pin a chat message, or a notice, above the chat',
      security: BEARER,
      middleware: [jsonBodyLimit(MESSAGE_BODY_MAX_BYTES), moderators] as const,
      request: {
        params: EventIdParams,
        body: { required: true, content: { 'application/json': { schema: PinBody } } },
      },
      responses: {
        200: {
          description: 'Pinned; every fan sees it within a second',
          content: {
            'application/json': { schema: z.object({ pinned: PinSchema, version: z.number() }) },
          },
        },
        ...STAFF_PROBLEMS,
        404: problem('`event_not_found` or `message_not_found`'),
        ...CONFLICT,
        413: problem('`payload_too_large`'),
        ...LOG_DOWN,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await getEvent(id);
      const staff = c.var.staff;
      const pinnedAt = new Date(now()).toISOString();
      let pinned: PinnedMessage;
      if (body.msgId !== undefined) {
        const message = await findMessage(id, body.msgId);
        if (message.deleted) throw new ApiError('message_not_found', 'that message was deleted');
        pinned = {
          msgId: message.id,
          text: message.text,
          authorName: message.authorName,
          pinnedBy: staff.id,
          pinnedAt,
        };
      } else {
        pinned = { text: body.text!, pinnedBy: staff.id, pinnedAt };
      }
      const { after } = await updateEventAtLatest(db.events, id, () => ({ pinnedMessage: pinned }));
      await stage.publish(id);
      await recordAudit(db.audit, logger, staff, {
        eventId: id,
        action: 'chat.pin',
        target: pinned.msgId ?? null,
        details: { text: pinned.text },
      });
      return c.json({ pinned, version: after.version }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/events/{id}/pin',
      summary: 'Unpin whatever is pinned',
      security: BEARER,
      middleware: [moderators] as const,
      request: { params: EventIdParams },
      responses: {
        200: {
          description: 'Nothing is pinned now (also when nothing was)',
          content: {
            'application/json': {
              schema: z.object({ unpinned: PinSchema.nullable(), version: z.number() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        ...CONFLICT,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const current = await getEvent(id);
      if (!current.pinnedMessage) return c.json({ unpinned: null, version: current.version }, 200);
      const { before, after } = await updateEventAtLatest(db.events, id, () => ({
        pinnedMessage: null,
      }));
      await stage.publish(id);
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'chat.unpin',
        target: before.pinnedMessage?.msgId ?? null,
        details: { text: before.pinnedMessage?.text ?? null },
      });
      return c.json({ unpinned: before.pinnedMessage ?? null, version: after.version }, 200);
    },
  );

  return router;
}
