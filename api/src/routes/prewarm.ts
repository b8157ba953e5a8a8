// An event's pre-warm: `POST /v1/events/{id}/prewarm` takes the expected audience, signals every
// shard to open the event's room and load its token keys (again on every POST: shards renew,
// never double), and answers the plan (prewarm-plan.ts) against the shards live now, with a
// readiness list; `GET` recomputes both for the last request posted to this API process.
// Readiness checks what is cheap to check from the API: the event's log answers, the shard
// registry (Redis) answers, the live shards can take the plan with one lost, what the shards
// report (prewarm-shards.ts), and the CDN edge answering the event's playlists (prewarm-edge.ts,
// fetched again on every POST and GET: a few requests, and it keeps the edge warm). The request
// is kept with the event's capacity reservation in the shard registry (Redis in the distributed
// mode), so every API replica answers GET alike; without a registry, or while it is down, in
// this process.

import { createRoute, z } from '@hono/zod-openapi';
import {
  PREWARM_READINESS_ITEMS,
  READINESS_STATES,
  type PrewarmAnswer as PrewarmAnswerBody,
  type ReadinessItem,
  type ShardState,
} from '@fanfare/protocol';
import type { AppDeps } from '../app-deps.js';
import { ApiError } from '../problem.js';
import {
  DEFAULT_SHARD_FIGURES,
  planPrewarm,
  type PrewarmPlan,
  type PrewarmRequest,
} from '../prewarm-plan.js';
import { edgeReadiness } from '../prewarm-edge.js';
import { CAPACITY_RESERVATION_MS, reservedByOthers, shardReadiness } from '../prewarm-shards.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, problem } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

/** Most fans a plan may be asked for: far past any one cluster, so typos are refused. */
export const PREWARM_MAX_FANS = 100_000_000;

const count = (max: number) => z.number().int().min(0).max(max);

const PrewarmBody = z
  .object({
    expectedPeakFans: count(PREWARM_MAX_FANS).min(1),
    expectedJoinsPerSec: count(PREWARM_MAX_FANS).min(1),
    startsAt: z
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: 'ms since the Unix epoch' }),
    tiers: z
      .object({
        llHls: count(PREWARM_MAX_FANS).optional(),
        webrtc: count(PREWARM_MAX_FANS).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .openapi('PrewarmRequest');

const PrewarmAnswer = z
  .object({
    request: PrewarmBody,
    plan: z.looseObject({ shards: z.number().int() }),
    readiness: z.array(
      z.object({
        item: z.enum(PREWARM_READINESS_ITEMS),
        state: z.enum(READINESS_STATES),
        reason: z.string(),
      }),
    ),
  })
  .openapi('Prewarm');

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function prewarmRoutes(deps: AppDeps) {
  const router = newRouter<{ Variables: StaffVariables }>();
  const figures = deps.capacity ?? DEFAULT_SHARD_FIGURES;
  /** The last request per event posted to this process: used when there is no registry. */
  const requests = new Map<string, PrewarmRequest>();

  /** The event's last request: from its reservation (any replica's POST), else this process's. */
  async function lastRequest(eventId: string): Promise<PrewarmRequest | undefined> {
    if (deps.registry) {
      try {
        const held = (await deps.registry.reservations()).find((r) => r.eventId === eventId);
        const parsed = PrewarmBody.safeParse(held?.request);
        if (parsed.success) return parsed.data;
      } catch {
        // The registry is down: this process's copy, if any (readiness reports the outage).
      }
    }
    return requests.get(eventId);
  }

  async function answer(eventId: string, request: PrewarmRequest): Promise<PrewarmAnswerBody> {
    const readiness: ReadinessItem[] = [];
    try {
      await deps.log.readLast(eventId, 1);
      readiness.push({ item: 'event_log', state: 'ready', reason: 'the event log answers' });
    } catch (err) {
      readiness.push({ item: 'event_log', state: 'failed', reason: reasonOf(err) });
    }
    let live: ShardState[] = [];
    let reserved = 0;
    if (!deps.registry) {
      readiness.push({
        item: 'shard_registry',
        state: 'failed',
        reason: 'this API has no shard registry (REDIS_URL unset)',
      });
    } else {
      try {
        live = await deps.registry.live();
        reserved = reservedByOthers(eventId, await deps.registry.reservations(), live);
        readiness.push({ item: 'shard_registry', state: 'ready', reason: 'the registry answers' });
      } catch (err) {
        readiness.push({ item: 'shard_registry', state: 'failed', reason: reasonOf(err) });
      }
    }
    const plan: PrewarmPlan = planPrewarm(request, figures, live, undefined, reserved);
    const { liveShards, missing } = plan.cluster;
    readiness.push({
      item: 'shards',
      state: liveShards >= plan.shards ? 'ready' : 'pending',
      reason: `${liveShards} live, ${plan.shards} needed`,
    });
    readiness.push({
      item: 'capacity',
      state: missing.length === 0 ? 'ready' : 'pending',
      reason:
        missing.length === 0
          ? `the live shards can take the peak with one lost${reserved > 0 ? `, beside ${reserved} fans reserved by other events` : ''}`
          : missing.join('; '),
    });
    if (deps.registry) readiness.push(...shardReadiness(eventId, live));
    // With a media service configured, its playlists and init segments fetched through the edge.
    if (deps.playback) {
      const now = deps.clock?.now() ?? Date.now();
      readiness.push(await edgeReadiness(deps.playback, eventId, now));
    }
    // With LiveKit configured, the event's room opened ahead of the show (idempotent).
    const event = deps.webrtc ? await deps.db.events.get(eventId) : undefined;
    if (deps.webrtc && event) {
      readiness.push({ item: 'webrtc_room', ...(await deps.webrtc.prewarmRoom(event)) });
    }
    return { request, plan, readiness };
  }

  async function requireEvent(id: string): Promise<void> {
    if (!(await deps.db.events.get(id)))
      throw new ApiError('event_not_found', 'no event with this id');
  }

  const responses = {
    200: {
      description: 'The plan and readiness',
      content: { 'application/json': { schema: PrewarmAnswer } },
    },
    ...STAFF_PROBLEMS,
  };

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/prewarm',
      summary: 'Plan the capacity an event needs and report readiness',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['sre', 'producer'])] as const,
      request: {
        params: EventIdParams,
        body: { content: { 'application/json': { schema: PrewarmBody } }, required: true },
      },
      responses,
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await requireEvent(id);
      const request: PrewarmRequest = { ...body };
      requests.set(id, request);
      deps.signalPrewarm(id);
      // The event's expected peak held against other events' plans (replaced, not added to).
      await deps.registry
        ?.reserve(
          { eventId: id, fans: body.expectedPeakFans, request: { ...request } },
          CAPACITY_RESERVATION_MS,
        )
        .catch(() => undefined); // readiness reports the registry failing
      c.header('Cache-Control', 'no-store');
      return c.json(await answer(id, request), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/prewarm',
      summary: 'The plan for the last pre-warm request, against the cluster now',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['sre', 'producer'])] as const,
      request: { params: EventIdParams },
      responses: {
        ...responses,
        404: problem(
          '`event_not_found`, or `not_found`: no pre-warm was posted for the event (or its reservation expired)',
        ),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await requireEvent(id);
      const request = await lastRequest(id);
      if (!request) throw new ApiError('not_found', 'no pre-warm was posted for this event');
      c.header('Cache-Control', 'no-store');
      return c.json(await answer(id, request), 200);
    },
  );
  return router;
}
