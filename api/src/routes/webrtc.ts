// The WebRTC tier's routes: `POST /v1/livekit/webhook` (LiveKit's webhooks, verified as LiveKit
// signs them; a bad one is 401 and changes nothing), and for staff the tier's status, the
// producer's WHIP ingest and the room egress that feeds the LL-HLS packager, so one WHIP ingest
// feeds both tiers. Everything LiveKit-specific sits behind WebrtcTier and the LiveTier seam.

import { createRoute, z } from '@hono/zod-openapi';
import { consoleLogger } from '@fanfare/fanout';
import { WebhookRejectedError } from '@fanfare/livekit';
import type { AppDeps } from '../app-deps.js';
import { recordAudit } from '../audit.js';
import { jsonBodyLimit } from '../body-limit.js';
import { ApiError } from '../problem.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, problem } from '../router.js';
import { ENDED_PROBLEM, IngestSchema, livekit, refuseEnded } from './stream.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';
import { StreamControlError } from '../stream-control.js';
import type { WebrtcTier } from '../webrtc-tier.js';

/** Largest webhook body accepted, bytes (LiveKit's events are a few KiB). */
export const WEBHOOK_BODY_MAX_BYTES = 64 * 1024;
/** Seconds a producer should wait before asking LiveKit again after it failed. */
const LIVEKIT_RETRY_AFTER_S = 2;

const EgressSchema = z
  .object({
    egressId: z.string(),
    started: z.boolean().openapi({ description: 'false: it was running already' }),
  })
  .openapi('WebrtcEgress');

const WEBRTC_PROBLEMS = {
  409: problem('`webrtc_off`: LIVEKIT_* is not configured'),
  503: problem('`livekit_unavailable`: LiveKit refused or did not answer'),
};

function tierOf(deps: AppDeps): WebrtcTier {
  if (!deps.webrtc) throw new ApiError('webrtc_off', 'the WebRTC tier is not configured');
  return deps.webrtc;
}

/** Runs a call that reaches the media process, turning its failure into a problem. */
async function media<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof StreamControlError)) throw err;
    throw new ApiError('media_unavailable', 'the media process does not answer', {
      cause: err,
      retryAfterS: LIVEKIT_RETRY_AFTER_S,
    });
  }
}

export function webrtcRoutes(deps: AppDeps) {
  const logger = deps.logger ?? consoleLogger;
  const router = newRouter<{ Variables: StaffVariables }>();
  const known = async (id: string) => {
    const event = await deps.db.events.get(id);
    if (!event) throw new ApiError('event_not_found', 'no event with this id');
    return event;
  };
  /** An event that may still take a stream: not ended or archived (its room is closed). */
  const open = async (id: string) => {
    const event = await known(id);
    refuseEnded(event.state);
    return event;
  };

  // Not an OpenAPI route: its body is LiveKit's, verified over its exact bytes before parsing.
  router.post('/v1/livekit/webhook', jsonBodyLimit(WEBHOOK_BODY_MAX_BYTES), async (c) => {
    if (!deps.webrtc) throw new ApiError('not_found', 'the WebRTC tier is not configured');
    try {
      // LiveKit or the media process failing (the egress that follows the ingest) is a 503:
      // the delivery is forgotten and LiveKit's retry applies it.
      const body = await c.req.text();
      const receive = deps.webrtc.receive.bind(deps.webrtc);
      const outcome = await media(() =>
        livekit(() => receive(body, c.req.header('authorization'))),
      );
      return c.json({ outcome }, 200);
    } catch (err) {
      if (!(err instanceof WebhookRejectedError)) throw err;
      logger.warn('livekit webhook refused', { reason: err.message });
      throw new ApiError('webhook_unverified', 'the webhook did not verify', { cause: err });
    }
  });

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/webrtc',
      summary: "The WebRTC tier's state for an event: seats, room, ingest",
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['producer', 'moderator', 'sre'])] as const,
      request: { params: EventIdParams },
      responses: {
        200: {
          description: 'Seats held now of the budget, the room, the last ingest status',
          content: {
            'application/json': {
              schema: z.object({
                webrtc: z.object({
                  seats: z.number(),
                  held: z.number(),
                  room: z.string(),
                  ingest: z.object({ live: z.boolean(), at: z.number() }).nullable(),
                  egress: z
                    .string()
                    .nullable()
                    .openapi({ description: 'the room egress feeding LL-HLS, when one runs' }),
                }),
              }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        ...WEBRTC_PROBLEMS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const tier = tierOf(deps);
      const event = await known(id);
      const status = await tier.status(id);
      c.header('Cache-Control', 'no-store');
      return c.json({ webrtc: { seats: event.webrtcSeats, ...status } }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/webrtc/ingest',
      summary: "The producer's WHIP ingest (reused while it exists)",
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['producer'])] as const,
      request: { params: EventIdParams },
      responses: {
        200: {
          description: 'Where and with what the encoder publishes over WHIP',
          content: { 'application/json': { schema: z.object({ ingest: IngestSchema }) } },
        },
        ...STAFF_PROBLEMS,
        ...WEBRTC_PROBLEMS,
        ...ENDED_PROBLEM,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const tier = tierOf(deps);
      const event = await open(id);
      const { mode, url, streamKey } = await livekit(() => tier.ingestFor(event));
      await recordAudit(deps.db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'webrtc.ingest',
      });
      c.header('Cache-Control', 'no-store');
      return c.json({ ingest: { mode, url, streamKey } }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/webrtc/egress',
      summary: 'Feed the LL-HLS packager from the LiveKit room, unless it is fed already',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['producer'])] as const,
      request: { params: EventIdParams },
      responses: {
        201: {
          description: "Started; the media process's RTMP ingest now takes only its key",
          content: { 'application/json': { schema: EgressSchema } },
        },
        200: {
          description: 'One runs already (started by the ingest or earlier): that one',
          content: { 'application/json': { schema: EgressSchema } },
        },
        ...STAFF_PROBLEMS,
        ...WEBRTC_PROBLEMS,
        409: problem(
          '`webrtc_off`: LIVEKIT_* is not configured; `egress_starting`: another replica is starting it',
        ),
        ...ENDED_PROBLEM,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const tier = tierOf(deps);
      await open(id);
      const started = await media(() => livekit(async () => tier.startEgress(id)));
      if (!started) throw new ApiError('media_unavailable', 'no media process is configured');
      if (started.kind === 'starting') {
        throw new ApiError('egress_starting', 'another replica is starting the egress', {
          retryAfterS: LIVEKIT_RETRY_AFTER_S,
        });
      }
      if (started.kind === 'started') {
        await recordAudit(deps.db.audit, logger, c.var.staff, {
          eventId: id,
          action: 'webrtc.egress',
          details: { egressId: started.egressId },
        });
      }
      return c.json(
        { egressId: started.egressId, started: started.kind === 'started' },
        started.kind === 'started' ? 201 : 200,
      );
    },
  );
  return router;
}
