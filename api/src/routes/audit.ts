// The audit log, newest first: `GET /v1/events/{id}/audit` (producers and moderators of the
// event) and `GET /v1/audit` (global actions such as credential changes; SRE).

import { createRoute, z } from '@hono/zod-openapi';
import { MAX_PAGE_LIMIT, type AuditEntry } from '@fanfare/db';
import type { AppDeps } from '../app-deps.js';
import { ApiError } from '../problem.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

const AuditEntrySchema = z
  .object({
    id: z.number(),
    eventId: z.string().nullable(),
    actorId: z.string(),
    actorRole: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    reason: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .openapi('AuditEntry');

const PageQuery = z.object({
  beforeId: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
});

const PAGE = {
  description: 'Newest first; pass `next` as `beforeId` for older entries',
  content: {
    'application/json': {
      schema: z.object({ entries: z.array(AuditEntrySchema), next: z.number().optional() }),
    },
  },
};

function entryView(e: AuditEntry) {
  return { ...e, at: e.at.toISOString() };
}

export function auditRoutes(deps: AppDeps) {
  const { db } = deps;
  const router = newRouter<{ Variables: StaffVariables }>();
  const page = async (eventId: string | null, query: z.infer<typeof PageQuery>) => {
    const result = await db.audit.list(eventId, query);
    return {
      entries: result.items.map(entryView),
      ...(result.next !== undefined ? { next: result.next } : {}),
    };
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/audit',
      summary: 'Who did what in this event, newest first',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['producer', 'moderator'])] as const,
      request: { params: EventIdParams, query: PageQuery },
      responses: { 200: PAGE, ...STAFF_PROBLEMS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await db.events.get(id)))
        throw new ApiError('event_not_found', 'no event with this id');
      return c.json(await page(id, c.req.valid('query')), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit',
      summary: 'Global actions (credentials), newest first',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['sre'])] as const,
      request: { query: PageQuery },
      responses: { 200: PAGE, ...STAFF_PROBLEMS },
    }),
    async (c) => c.json(await page(null, c.req.valid('query')), 200),
  );
  return router;
}
