// Events: `POST/GET /v1/events`, `GET/PATCH /v1/events/{id}`, `POST /v1/events/{id}/state`.
// Producers create and edit events and move them through the lifecycle (draft → scheduled →
// live → ended → archived; illegal moves are 409 `illegal_transition`). Every write is a
// compare-and-set on the event's version, and every change reaches the fans of every shard as
// a new stage within a second.

import { createRoute, z } from '@hono/zod-openapi';
import { MAX_PAGE_LIMIT, type EventPatch, type EventRecord } from '@fanfare/db';
import {
  CHAT_CAP_MAX_PER_SEC,
  CHAT_CAP_MIN_PER_SEC,
  EVENT_ACCESS,
  EVENT_ID_PATTERN,
  EVENT_STATES,
  SLOW_MODE_MAX_S,
  SLOW_MODE_MIN_S,
} from '@fanfare/protocol';
import { consoleLogger } from '@fanfare/fanout';
import type { AppDeps } from '../app-deps.js';
import { recordAudit } from '../audit.js';
import { ApiError } from '../problem.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, problem } from '../router.js';
import { jsonBodyLimit } from '../body-limit.js';
import { textField } from '../text-field.js';
import { requireStaff, type Staff, type StaffVariables } from '../staff-auth.js';
import { BLOCKED_TERMS_MAX, BlockedTerm } from './event-fields.js';

/** Largest event body accepted, bytes (blocked-term lists make it the biggest). */
export const EVENT_BODY_MAX_BYTES = 16 * 1024;
/** Longest event title, characters. */
export const TITLE_MAX_CHARS = 200;
/** Most WebRTC seats an event may have (a budget, not a capacity: see docs/livekit.md). */
export const WEBRTC_SEATS_MAX = 100_000;
/** Most countries in an allow-list (ISO 3166-1 has 249). */
export const COUNTRIES_MAX = 250;

const Instant = z.string().datetime({ offset: true }).openapi({ example: '2026-12-18T19:00:00Z' });

const EventFields = {
  title: textField('line', TITLE_MAX_CHARS),
  startsAt: Instant.nullable(),
  endsAt: Instant.nullable(),
  access: z.enum(EVENT_ACCESS),
  countryAllowList: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, upper case'))
    .max(COUNTRIES_MAX)
    .nullable()
    .openapi({ description: 'null: fans from anywhere' }),
  chatCapPerSec: z.number().int().min(CHAT_CAP_MIN_PER_SEC).max(CHAT_CAP_MAX_PER_SEC).nullable(),
  slowModeS: z.number().int().min(SLOW_MODE_MIN_S).max(SLOW_MODE_MAX_S).nullable(),
  entitledOnlyChat: z.boolean(),
  blockedTerms: z.array(BlockedTerm).max(BLOCKED_TERMS_MAX),
  webrtcSeats: z
    .number()
    .int()
    .min(0)
    .max(WEBRTC_SEATS_MAX)
    .openapi({ description: 'WebRTC (LiveKit) viewers at once; 0: LL-HLS only' }),
};

const NewEventBody = z
  .object({ id: z.string().regex(EVENT_ID_PATTERN), ...EventFields })
  .partial()
  .required({ id: true, title: true })
  .strict()
  .openapi('NewEvent');

const EventPatchBody = z
  .object({
    version: z
      .number()
      .int()
      .min(1)
      .openapi({ description: 'The version you read (compare-and-set)' }),
    ...EventFields,
  })
  .partial()
  .required({ version: true })
  .strict()
  .openapi('EventPatch');

const StateBody = z
  .object({
    state: z.enum(EVENT_STATES),
    version: z.number().int().min(1).optional(),
  })
  .strict()
  .openapi('EventStateChange');

export const EventSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    state: z.enum(EVENT_STATES),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    access: z.enum(EVENT_ACCESS),
    countryAllowList: z.array(z.string()).nullable(),
    chatCapPerSec: z.number().nullable(),
    slowModeS: z.number().nullable(),
    entitledOnlyChat: z.boolean(),
    blockedTerms: z.array(z.string()),
    webrtcSeats: z.number(),
    pinned: z
      .object({
        msgId: z.string().optional(),
        text: z.string(),
        authorName: z.string().optional(),
        pinnedBy: z.string(),
        pinnedAt: z.string(),
      })
      .nullable(),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Event');

export type EventView = z.infer<typeof EventSchema>;

export function eventView(e: EventRecord): EventView {
  return {
    id: e.id,
    title: e.title,
    state: e.state,
    startsAt: e.startsAt?.toISOString() ?? null,
    endsAt: e.endsAt?.toISOString() ?? null,
    access: e.access,
    countryAllowList: e.countryAllowList,
    chatCapPerSec: e.chatCapPerSec,
    slowModeS: e.slowModeS,
    entitledOnlyChat: e.entitledOnlyChat,
    blockedTerms: e.blockedTerms,
    webrtcSeats: e.webrtcSeats,
    pinned: e.pinnedMessage ?? null,
    version: e.version,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** A request body's fields as a repository patch (ISO strings become Dates). */
function toPatch(body: Partial<z.infer<typeof EventPatchBody>>): EventPatch {
  const { startsAt, endsAt, version: _version, ...rest } = body;
  const patch: EventPatch = { ...rest };
  if (startsAt !== undefined) patch.startsAt = startsAt === null ? null : new Date(startsAt);
  if (endsAt !== undefined) patch.endsAt = endsAt === null ? null : new Date(endsAt);
  return patch;
}

async function closeOpenPolls(deps: AppDeps, eventId: string, actor: Staff): Promise<void> {
  for (const poll of await deps.db.polls.activeForEvent(eventId)) {
    try {
      await deps.polls.closePoll(eventId, poll.id, actor);
    } catch (err) {
      // Closed meanwhile, or the vote store is down: the auto-close settles it at its deadline.
      (deps.logger ?? consoleLogger).warn('poll not closed with its event', { eventId, err });
    }
  }
}

/** Its stream stops too: the key leads nowhere on the shared ingest ports from now on. */
async function endStream(deps: AppDeps, eventId: string): Promise<void> {
  try {
    await deps.streams?.end(eventId);
  } catch (err) {
    // The media process is down: a restarted one gets no key for an ended event (the restorer
    // hands back keys of events that have not ended), so the route is gone either way.
    (deps.logger ?? consoleLogger).warn('stream not ended with its event', { eventId, err });
  }
}

const ONE_EVENT = {
  description: 'The event',
  content: { 'application/json': { schema: z.object({ event: EventSchema }) } },
};
const CONFLICT = {
  409: problem('`version_conflict`, `state_conflict` or `illegal_transition`'),
};

export function eventRoutes(deps: AppDeps) {
  const { db, stage } = deps;
  const logger = deps.logger ?? consoleLogger;
  const router = newRouter<{ Variables: StaffVariables }>();
  const producers = requireStaff(deps.staff, ['producer']);
  const readers = requireStaff(deps.staff, ['producer', 'moderator', 'sre']);
  const limit = jsonBodyLimit(EVENT_BODY_MAX_BYTES);

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events',
      summary: 'Create an event (a draft)',
      security: BEARER,
      middleware: [limit, producers] as const,
      request: {
        body: { required: true, content: { 'application/json': { schema: NewEventBody } } },
      },
      responses: {
        201: ONE_EVENT,
        ...STAFF_PROBLEMS,
        409: problem('`event_exists`'),
        413: problem('`payload_too_large`'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const event = await db.events.create({ ...toPatch(body), id: body.id, title: body.title });
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: event.id,
        action: 'event.create',
        details: { title: event.title },
      });
      return c.json({ event: eventView(event) }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events',
      summary: 'List events, in id order, a page at a time',
      security: BEARER,
      middleware: [readers] as const,
      request: {
        query: z.object({
          state: z.enum(EVENT_STATES).optional(),
          after: z.string().regex(EVENT_ID_PATTERN).optional(),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
        }),
      },
      responses: {
        200: {
          description: 'One page; pass `next` as `after` for the next',
          content: {
            'application/json': {
              schema: z.object({ events: z.array(EventSchema), next: z.string().optional() }),
            },
          },
        },
        ...STAFF_PROBLEMS,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await db.events.list(query);
      return c.json(
        { events: page.items.map(eventView), ...(page.next ? { next: page.next } : {}) },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}',
      summary: 'One event',
      security: BEARER,
      middleware: [readers] as const,
      request: { params: EventIdParams },
      responses: { 200: ONE_EVENT, ...STAFF_PROBLEMS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const event = await db.events.get(id);
      if (!event) throw new ApiError('event_not_found', 'no event with this id');
      return c.json({ event: eventView(event) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/events/{id}',
      summary: 'Edit an event (compare-and-set on `version`)',
      security: BEARER,
      middleware: [limit, producers] as const,
      request: {
        params: EventIdParams,
        body: { required: true, content: { 'application/json': { schema: EventPatchBody } } },
      },
      responses: {
        200: ONE_EVENT,
        ...STAFF_PROBLEMS,
        ...CONFLICT,
        413: problem('`payload_too_large`'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const event = await db.events.update(id, toPatch(body), body.version);
      await stage.publish(id);
      await deps.webrtc?.eventChanged(event);
      const { version: _v, ...changed } = body;
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'event.update',
        details: { changed: Object.keys(changed), version: event.version },
      });
      return c.json({ event: eventView(event) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/state',
      summary: 'Move an event through its lifecycle (schedule, go live, end, archive)',
      description:
        'draft → scheduled | live; scheduled → draft | live; live → ended; ended → archived. ' +
        'Fans on every shard see the new state within a second.',
      security: BEARER,
      middleware: [limit, producers] as const,
      request: {
        params: EventIdParams,
        body: { required: true, content: { 'application/json': { schema: StateBody } } },
      },
      responses: { 200: ONE_EVENT, ...STAFF_PROBLEMS, ...CONFLICT },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { state: to, version } = c.req.valid('json');
      const current = await db.events.get(id);
      if (!current) throw new ApiError('event_not_found', 'no event with this id');
      const event = await db.events.transition(id, current.state, to, version);
      await stage.publish(id);
      // Its LiveKit room opens when it is scheduled (the pre-warm) and closes when it ends.
      await deps.webrtc?.eventChanged(event);
      // The show is over: its open polls close now, with their results, not at their deadline.
      if (to === 'ended') {
        await closeOpenPolls(deps, id, c.var.staff);
        await endStream(deps, id);
      }
      await recordAudit(db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'event.transition',
        details: { from: current.state, to },
      });
      return c.json({ event: eventView(event) }, 200);
    },
  );

  return router;
}
