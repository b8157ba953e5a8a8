// Chat history for staff: `GET /v1/events/{id}/chat`, pages of the archived chat in seq order
// with deleted messages left out. It reads the archive, which lags the live log by up to one
// archiver pass (ARCHIVE_INTERVAL_MS); what is newer is in the live stream.

import { createRoute, z } from '@hono/zod-openapi';
import { MAX_PAGE_LIMIT, type ArchivedChat } from '@fanfare/db';
import type { AppDeps } from '../app-deps.js';
import { ApiError } from '../problem.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

const Seq = z.coerce.number().int().min(0);

const HistoryQuery = z.object({
  afterSeq: Seq.optional().openapi({ description: 'Read forward from just after this seq' }),
  beforeSeq: Seq.optional().openapi({
    description: 'Alone: the newest messages before this seq. With afterSeq: an upper bound',
  }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
});

const ChatMessageSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    ts: z.number().int().openapi({ description: 'When the log accepted it, ms since the epoch' }),
    author: z.object({ id: z.string(), name: z.string(), role: z.string() }),
    text: z.string(),
  })
  .openapi('ArchivedChatMessage');

const CursorSchema = z
  .object({ afterSeq: z.number().int().optional(), beforeSeq: z.number().int().optional() })
  .openapi('ChatCursor', { description: 'Pass these back as query parameters for the next page' });

function messageJson(row: ArchivedChat): z.infer<typeof ChatMessageSchema> {
  return {
    id: row.msgId,
    seq: row.seq,
    ts: row.ts.getTime(),
    author: { id: row.authorId, name: row.authorName, role: row.authorRole },
    text: row.text,
  };
}

export function historyRoutes(deps: AppDeps) {
  const { db } = deps;
  const router = newRouter<{ Variables: StaffVariables }>();
  const readers = requireStaff(deps.staff, ['producer', 'moderator', 'sre']);

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/chat',
      summary: 'Archived chat, a page at a time, oldest first, without deleted messages',
      security: BEARER,
      middleware: [readers] as const,
      request: { params: EventIdParams, query: HistoryQuery },
      responses: {
        200: {
          description: 'One page; `next` is absent at the end',
          content: {
            'application/json': {
              schema: z.object({
                messages: z.array(ChatMessageSchema),
                next: CursorSchema.optional(),
              }),
            },
          },
        },
        ...STAFF_PROBLEMS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      if (!(await db.events.get(id)))
        throw new ApiError('event_not_found', 'no event with this id');
      const page = await db.chat.page(id, query);
      return c.json(
        { messages: page.items.map(messageJson), ...(page.next ? { next: page.next } : {}) },
        200,
      );
    },
  );

  return router;
}
