// `PUT /v1/events/{id}/chat-rules`: slow mode, ticket-only chat, blocked terms and the ingest cap.
// They are event fields: a compare-and-set write, then a new stage every shard applies within a
// second. Moderators set the chat rules, producers everything, SREs only the ingest cap.

import { createRoute, z } from '@hono/zod-openapi';
import type { EventPatch, EventRecord } from '@fanfare/db';
import { consoleLogger } from '@fanfare/fanout';
import {
  CHAT_CAP_MAX_PER_SEC,
  CHAT_CAP_MIN_PER_SEC,
  SLOW_MODE_MAX_S,
  SLOW_MODE_MIN_S,
} from '@fanfare/protocol';
import type { AppDeps } from '../app-deps.js';
import { recordAudit } from '../audit.js';
import { jsonBodyLimit } from '../body-limit.js';
import { updateEventAtLatest } from '../event-update.js';
import { ApiError } from '../problem.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, problem } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';
import { BLOCKED_TERMS_MAX, BlockedTerm } from './event-fields.js';

/** Largest chat-rules body accepted, bytes (200 blocked terms of 50 characters fit). */
export const CHAT_RULES_BODY_MAX_BYTES = 16 * 1024;

const CONFLICT = { 409: problem('`version_conflict`: the event kept changing; retry') };

const RulesFields = {
  slowModeS: z
    .number()
    .int()
    .min(SLOW_MODE_MIN_S)
    .max(SLOW_MODE_MAX_S)
    .nullable()
    .openapi({ description: 'Seconds between one fan’s messages; null: off' }),
  entitledOnlyChat: z.boolean().openapi({ description: 'Only ticket holders (and staff) chat' }),
  blockedTerms: z
    .array(BlockedTerm)
    .max(BLOCKED_TERMS_MAX)
    .openapi({ description: '`word`, `word*` (prefix), `*word` (suffix), `*word*`; lowercased' }),
  chatCapPerSec: z
    .number()
    .int()
    .min(CHAT_CAP_MIN_PER_SEC)
    .max(CHAT_CAP_MAX_PER_SEC)
    .nullable()
    .openapi({
      description: 'Accepted messages per second across the event; null: the default. Producer/SRE',
    }),
};

const ChatRulesBody = z
  .object(RulesFields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'send at least one rule' })
  .openapi('ChatRulesChange');

const ChatRulesSchema = z
  .object({
    slowModeS: z.number().int().nullable(),
    entitledOnlyChat: z.boolean(),
    blockedTerms: z.array(z.string()),
    chatCapPerSec: z.number().int().nullable(),
  })
  .openapi('ChatRules');

type ChatRules = z.infer<typeof ChatRulesSchema>;

function rulesOf(event: EventRecord): ChatRules {
  return {
    slowModeS: event.slowModeS,
    entitledOnlyChat: event.entitledOnlyChat,
    blockedTerms: event.blockedTerms,
    chatCapPerSec: event.chatCapPerSec,
  };
}

export function chatRuleRoutes(deps: AppDeps) {
  const { db, stage } = deps;
  const logger = deps.logger ?? consoleLogger;
  const router = newRouter<{ Variables: StaffVariables }>();
  const ruleSetters = requireStaff(deps.staff, ['moderator', 'producer', 'sre']);

  router.openapi(
    createRoute({
      method: 'put',
      path: '/v1/events/{id}/chat-rules',
      summary: 'Change the chat rules: slow mode, ticket-only chat, blocked terms, ingest cap',
      description:
        'Absent fields keep their value. `chatCapPerSec` is for producers and SREs; SREs may ' +
        'set only it. Every shard applies the rules within a second.',
      security: BEARER,
      middleware: [jsonBodyLimit(CHAT_RULES_BODY_MAX_BYTES), ruleSetters] as const,
      request: {
        params: EventIdParams,
        body: { required: true, content: { 'application/json': { schema: ChatRulesBody } } },
      },
      responses: {
        200: {
          description: 'The rules now in force',
          content: {
            'application/json': {
              schema: z.object({ rules: ChatRulesSchema, version: z.number() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        ...CONFLICT,
        413: problem('`payload_too_large`'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { role } = c.var.staff;
      if (role === 'moderator' && body.chatCapPerSec !== undefined) {
        throw new ApiError('forbidden', 'only producers and SREs may set chatCapPerSec');
      }
      if (role === 'sre' && Object.keys(body).some((k) => k !== 'chatCapPerSec')) {
        throw new ApiError('forbidden', 'SREs may set only chatCapPerSec');
      }
      const patch: EventPatch = { ...body };
      if (body.blockedTerms) patch.blockedTerms = [...new Set(body.blockedTerms)];
      const { before, after } = await updateEventAtLatest(db.events, id, () => patch);
      await stage.publish(id);
      const fields = Object.keys(body) as (keyof ChatRules)[];
      const pick = (rules: ChatRules) => Object.fromEntries(fields.map((k) => [k, rules[k]]));
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'event.chat_rules',
        details: { before: pick(rulesOf(before)), after: pick(rulesOf(after)) },
      });
      return c.json({ rules: rulesOf(after), version: after.version }, 200);
    },
  );

  return router;
}
