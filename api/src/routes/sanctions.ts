// Bans and timeouts: `POST/GET /v1/events/{id}/sanctions`, `DELETE .../sanctions/{userId}`.
// Moderators and producers only. A sanction holds on every shard within a second; while the
// shared store is unreachable these routes answer 503 `state_unavailable` and change nothing.

import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../problem.js';
import { SANCTION_MAX_S, TIMEOUT_MIN_S, type Moderation } from '../moderation.js';
import {
  BEARER,
  EventIdParams,
  STAFF_PROBLEMS,
  idString,
  newRouter,
  pathId,
  problem,
} from '../router.js';
import { textField } from '../text-field.js';
import { requireStaff, type StaffAuthenticator, type StaffVariables } from '../staff-auth.js';
import type { Repositories } from '@fanfare/db';
import type { Logger } from '@fanfare/fanout';
import { recordAudit } from '../audit.js';
import { consoleLogger } from '@fanfare/fanout';
import type { WebrtcTier } from '../webrtc-tier.js';

/** Largest sanction body accepted, bytes. */
export const SANCTION_BODY_MAX_BYTES = 4 * 1024;
/** Longest reason kept with a sanction, characters. */
export const REASON_MAX_CHARS = 500;
/** Longest user id accepted, characters. */
export const USER_ID_MAX_CHARS = 128;

const UserId = idString(USER_ID_MAX_CHARS);

const SanctionSchema = z
  .object({
    userId: z.string(),
    kind: z.enum(['ban', 'timeout']),
    until: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'ms since epoch; null: until lifted' }),
    by: z.string(),
    reason: z.string().optional(),
    at: z.number().int(),
  })
  .openapi('Sanction');

const SanctionBody = z
  .object({
    userId: UserId,
    kind: z.enum(['ban', 'timeout']),
    durationS: z
      .number()
      .int()
      .min(TIMEOUT_MIN_S)
      .max(SANCTION_MAX_S)
      .optional()
      .openapi({ description: 'Required for a timeout; a ban without one lasts until lifted.' }),
    reason: textField('multiline', REASON_MAX_CHARS).optional(),
  })
  .refine((body) => body.kind !== 'timeout' || body.durationS !== undefined, {
    message: 'a timeout needs durationS',
    path: ['durationS'],
  })
  .openapi('SanctionRequest');

const UNAVAILABLE = { 503: problem('`state_unavailable`: the shared store is unreachable') };

export interface SanctionRouteDeps {
  staff: StaffAuthenticator;
  db: Repositories;
  moderation: Moderation;
  logger?: Logger | undefined;
  /** A banned viewer is also removed from the event's LiveKit room. */
  webrtc?: Pick<WebrtcTier, 'banned'> | undefined;
}

export function sanctionRoutes(deps: SanctionRouteDeps) {
  const { db, moderation } = deps;
  const logger = deps.logger ?? consoleLogger;
  const router = newRouter<{ Variables: StaffVariables }>();
  const staffOnly = requireStaff(deps.staff, ['moderator', 'producer']);
  const knownEvent = async (id: string): Promise<void> => {
    if ((await db.events.get(id)) === undefined) {
      throw new ApiError('event_not_found', 'no event with this id');
    }
  };

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/sanctions',
      summary: 'Ban or time out a user in an event',
      security: BEARER,
      middleware: [
        bodyLimit({
          maxSize: SANCTION_BODY_MAX_BYTES,
          onError: () => {
            throw new ApiError(
              'payload_too_large',
              `the body exceeds ${SANCTION_BODY_MAX_BYTES} bytes`,
            );
          },
        }),
        staffOnly,
      ] as const,
      request: {
        params: EventIdParams,
        body: { required: true, content: { 'application/json': { schema: SanctionBody } } },
      },
      responses: {
        201: {
          description: 'In force on every shard within a second',
          content: {
            'application/json': {
              schema: z.object({ sanction: SanctionSchema, version: z.number() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        413: problem('`payload_too_large`'),
        ...UNAVAILABLE,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await knownEvent(id);
      const body = c.req.valid('json');
      const result = await moderation.impose(id, c.var.staff.id, body);
      if (body.kind === 'ban') await deps.webrtc?.banned(id, body.userId);
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'sanction.impose',
        target: body.userId,
        reason: body.reason ?? null,
        details: { kind: body.kind, until: result.sanction.until },
      });
      return c.json(result, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/sanctions',
      summary: 'The bans and timeouts in force',
      security: BEARER,
      middleware: [staffOnly] as const,
      request: { params: EventIdParams },
      responses: {
        200: {
          description: 'Sanctions in force now',
          content: {
            'application/json': {
              schema: z.object({ version: z.number(), sanctions: z.array(SanctionSchema) }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        ...UNAVAILABLE,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await knownEvent(id);
      return c.json(await moderation.list(id), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/events/{id}/sanctions/{userId}',
      summary: 'Lift a ban or timeout',
      security: BEARER,
      middleware: [staffOnly] as const,
      request: {
        params: EventIdParams.extend({ userId: pathId('userId', USER_ID_MAX_CHARS, 'anon-1b2c') }),
      },
      responses: {
        200: {
          description: 'Lifted on every shard within a second',
          content: {
            'application/json': {
              schema: z.object({ lifted: SanctionSchema.nullable(), version: z.number() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        ...UNAVAILABLE,
      },
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      await knownEvent(id);
      const { lifted, version } = await moderation.lift(id, userId);
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'sanction.lift',
        target: userId,
        details: { lifted: lifted?.kind ?? null },
      });
      return c.json({ lifted: lifted ?? null, version }, 200);
    },
  );

  return router;
}
