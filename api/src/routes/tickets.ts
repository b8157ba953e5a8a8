// Tickets: `POST /v1/events/{id}/tickets`. The ticketing system (with a producer or SRE
// credential) mints a fan token carrying entitlements for one of its ticket holders and hands it
// to the fan, who joins with it as `Authorization: Bearer`: the join keeps the identity and the
// entitlements, and a `ticketed` event admits only such fans. Not audited per ticket (a sale
// mints thousands); the credential that minted them is.

import { createRoute, z } from '@hono/zod-openapi';
import { ENTITLEMENTS, NAME_MAX_CHARS } from '@fanfare/protocol';
import type { AppDeps } from '../app-deps.js';
import { jsonBodyLimit } from '../body-limit.js';
import { ApiError } from '../problem.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, problem } from '../router.js';
import { textField } from '../text-field.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

export const TICKET_BODY_MAX_BYTES = 1024;
/** Longest ticket holder id, characters. */
export const TICKET_USER_ID_MAX_CHARS = 128;

const TicketBody = z
  .object({
    userId: z
      .string()
      .regex(/^[A-Za-z0-9_.:@-]+$/)
      .max(TICKET_USER_ID_MAX_CHARS)
      .openapi({ description: 'The ticketing system’s id for the fan (stable per person)' }),
    name: textField('line', NAME_MAX_CHARS),
    entitlements: z
      .array(z.enum(ENTITLEMENTS))
      .min(1)
      .max(ENTITLEMENTS.length)
      .default(['ticketed']),
  })
  .strict()
  .openapi('TicketRequest');

export function ticketRoutes(deps: AppDeps) {
  const router = newRouter<{ Variables: StaffVariables }>();
  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/tickets',
      summary: 'Mint a fan token with entitlements for a ticket holder',
      security: BEARER,
      middleware: [
        jsonBodyLimit(TICKET_BODY_MAX_BYTES),
        requireStaff(deps.staff, ['producer', 'sre']),
      ] as const,
      request: {
        params: EventIdParams,
        body: { required: true, content: { 'application/json': { schema: TicketBody } } },
      },
      responses: {
        201: {
          description: 'A fan token; the fan joins with it as its bearer token',
          content: {
            'application/json': {
              schema: z.object({
                token: z.string(),
                expiresAt: z.number(),
                user: z.object({ id: z.string(), name: z.string(), role: z.literal('fan') }),
              }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        413: problem('`payload_too_large`'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      if (!(await deps.db.events.get(id))) {
        throw new ApiError('event_not_found', 'no event with this id');
      }
      // Namespaced so a ticket holder's id never collides with an anonymous fan's.
      const user = { id: `t:${body.userId}`, name: body.name, role: 'fan' as const };
      const ent = body.entitlements.filter((e) => e !== 'public');
      const { token, expiresAt } = await deps.issuer.issueFanToken({
        sub: user.id,
        evt: id,
        role: 'fan',
        name: user.name,
        ...(ent.length > 0 ? { ent } : {}),
      });
      c.header('Cache-Control', 'no-store');
      return c.json({ token, expiresAt, user }, 201);
    },
  );
  return router;
}
