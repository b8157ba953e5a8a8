// Polls: `POST/GET /v1/events/{id}/polls`, `GET .../polls/{pollId}` (results),
// `POST .../polls/{pollId}/close` and `.../cancel`. Producers run polls; moderators and SREs may
// read them. The work is PollService's; this module is the HTTP contract: limits, roles, shapes.

import { createRoute, z } from '@hono/zod-openapi';
import type { PollRecord } from '@fanfare/db';
import {
  POLL_DURATION_MAX_S,
  POLL_DURATION_MIN_S,
  POLL_OPTIONS_MAX,
  POLL_OPTIONS_MIN,
  POLL_OPTION_MAX_CHARS,
  POLL_QUESTION_MAX_CHARS,
  POLL_STATES,
} from '@fanfare/protocol';
import type { AppDeps } from '../app-deps.js';
import { jsonBodyLimit } from '../body-limit.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, pathId, problem } from '../router.js';
import { pollView } from '../stage-projector.js';
import { textField } from '../text-field.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

/** Largest poll body accepted, bytes (5 options of 80 characters and a question fit easily). */
export const POLL_BODY_MAX_BYTES = 4 * 1024;

const PollBody = z
  .object({
    question: textField('line', POLL_QUESTION_MAX_CHARS),
    options: z
      .array(textField('line', POLL_OPTION_MAX_CHARS))
      .min(POLL_OPTIONS_MIN)
      .max(POLL_OPTIONS_MAX)
      .refine((options) => new Set(options).size === options.length, 'options must differ'),
    durationS: z
      .number()
      .int()
      .min(POLL_DURATION_MIN_S)
      .max(POLL_DURATION_MAX_S)
      .openapi({ description: 'Seconds until the poll closes by itself' }),
    allowConcurrent: z
      .boolean()
      .optional()
      .openapi({ description: 'Open even while other polls of the event are open' }),
  })
  .strict()
  .openapi('NewPoll');

const PollSchema = z
  .object({
    id: z.string(),
    question: z.string(),
    options: z.array(z.string()),
    state: z.enum(POLL_STATES),
    opensAt: z.number().int().openapi({ description: 'ms since the Unix epoch' }),
    closesAt: z.number().int().openapi({ description: 'When it closes by itself, ms' }),
    closedAt: z.number().int().nullable().openapi({ description: 'When it was settled, ms' }),
    durationS: z.number().int(),
    allowConcurrent: z.boolean(),
    createdBy: z.string(),
    result: z
      .object({ counts: z.array(z.number().int()), total: z.number().int() })
      .optional()
      .openapi({ description: 'The exact recount, once closed' }),
  })
  .openapi('Poll');

const TallySchema = z
  .object({
    version: z.number().int(),
    counts: z.array(z.number().int()),
    total: z.number().int(),
  })
  .openapi('Tally', { description: 'The running count while the poll is open' });

/** Longest poll id accepted in a path, characters (ids are server-made and far shorter). */
export const POLL_ID_MAX_CHARS = 64;

const PollParams = EventIdParams.extend({
  pollId: pathId('pollId', POLL_ID_MAX_CHARS, 'p_x7Kq2mRb9aLw'),
});

export type PollJson = z.infer<typeof PollSchema>;

export function pollJson(poll: PollRecord): PollJson {
  return {
    ...pollView(poll),
    closedAt: poll.closedAt?.getTime() ?? null,
    durationS: poll.durationS,
    allowConcurrent: poll.allowConcurrent,
    createdBy: poll.createdBy,
  };
}

const ONE_POLL = {
  content: { 'application/json': { schema: z.object({ poll: PollSchema }) } },
};
const NOT_FOUND = { 404: problem('`event_not_found` or `poll_not_found`') };
const VOTES_DOWN = {
  503: problem('`state_unavailable`: the vote store is unreachable; nothing changed'),
};

export function pollRoutes(deps: AppDeps) {
  const { polls } = deps;
  const router = newRouter<{ Variables: StaffVariables }>();
  const producers = requireStaff(deps.staff, ['producer']);
  const readers = requireStaff(deps.staff, ['producer', 'moderator', 'sre']);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/polls',
      summary: 'Open a poll',
      description:
        'Fans on every shard see it within a second; it closes by itself after `durationS`.',
      security: BEARER,
      middleware: [jsonBodyLimit(POLL_BODY_MAX_BYTES), producers] as const,
      request: {
        params: EventIdParams,
        body: { required: true, content: { 'application/json': { schema: PollBody } } },
      },
      responses: {
        201: { description: 'Open, votes accepted', ...ONE_POLL },
        ...STAFF_PROBLEMS,
        409: problem(
          '`poll_active` (another poll is open) or `event_not_live` (not scheduled or live)',
        ),
        413: problem('`payload_too_large`'),
        ...VOTES_DOWN,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const poll = await polls.open(id, c.req.valid('json'), c.var.staff);
      return c.json({ poll: pollJson(poll) }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/polls',
      summary: 'Every poll of an event, oldest first',
      security: BEARER,
      middleware: [readers] as const,
      request: { params: EventIdParams },
      responses: {
        200: {
          description: 'The polls',
          content: { 'application/json': { schema: z.object({ polls: z.array(PollSchema) }) } },
        },
        ...STAFF_PROBLEMS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json({ polls: (await polls.list(id)).map(pollJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/polls/{pollId}',
      summary: 'One poll with its result, or its running tally while open',
      security: BEARER,
      middleware: [readers] as const,
      request: { params: PollParams },
      responses: {
        200: {
          description: 'The poll; `tally` only while it is open',
          content: {
            'application/json': {
              schema: z.object({ poll: PollSchema, tally: TallySchema.optional() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        ...NOT_FOUND,
        ...VOTES_DOWN,
      },
    }),
    async (c) => {
      const { id, pollId } = c.req.valid('param');
      const { poll, tally } = await polls.results(id, pollId);
      return c.json({ poll: pollJson(poll), ...(tally ? { tally } : {}) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/polls/{pollId}/close',
      summary: 'Close a poll now, with the exact recount as its result',
      security: BEARER,
      middleware: [producers] as const,
      request: { params: PollParams },
      responses: {
        200: { description: 'Closed; fans see the result', ...ONE_POLL },
        ...STAFF_PROBLEMS,
        ...NOT_FOUND,
        409: problem('`poll_not_open`: already closed or cancelled'),
        ...VOTES_DOWN,
      },
    }),
    async (c) => {
      const { id, pollId } = c.req.valid('param');
      return c.json({ poll: pollJson(await polls.closePoll(id, pollId, c.var.staff)) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/polls/{pollId}/cancel',
      summary: 'Cancel a poll: no result is kept',
      security: BEARER,
      middleware: [producers] as const,
      request: { params: PollParams },
      responses: {
        200: { description: 'Cancelled', ...ONE_POLL },
        ...STAFF_PROBLEMS,
        ...NOT_FOUND,
        409: problem('`poll_not_open`: already closed or cancelled'),
      },
    }),
    async (c) => {
      const { id, pollId } = c.req.valid('param');
      return c.json({ poll: pollJson(await polls.cancelPoll(id, pollId, c.var.staff)) }, 200);
    },
  );

  return router;
}
