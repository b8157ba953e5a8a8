// An event's live video ingest: `POST /v1/events/{id}/stream` creates or rotates the stream key
// (shown once, in this answer only), `GET` shows the ingest address and the stream's status. The
// media process owns both (StreamControl): this route makes the key, hands the media process its
// SHA-256 and keeps that hash in the database (for a restarted media process), never the key.
// With the WebRTC tier configured both also carry the producer's WHIP ingest (`whip`): its URL
// in GET (like the RTMP and SRT addresses, never the key), its URL and key in POST, the one
// answer that shows keys. Without the tier `whip` is null.

import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { consoleLogger } from '@fanfare/fanout';
import { LiveTierError } from '@fanfare/livekit';
import { hashStreamKey } from '@fanfare/media';
import type { AppDeps } from '../app-deps.js';
import { recordAudit } from '../audit.js';
import { ApiError } from '../problem.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter, problem } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';
import { StreamControlError, type StreamControl, type StreamInfo } from '../stream-control.js';

/** Stream keys: this prefix and 24 random bytes, base64url (192 bits). */
export const STREAM_KEY_PREFIX = 'sk_';

/** Lifecycle states in which an event takes no stream: its show is over, its room closed. */
export const STREAM_CLOSED_STATES: readonly string[] = ['ended', 'archived'];

/** Refuses (410 `event_ended`) to set up a stream for an event whose show is over. */
export function refuseEnded(state: string): void {
  if (STREAM_CLOSED_STATES.includes(state)) {
    throw new ApiError('event_ended', 'this event has ended: it takes no stream');
  }
}

/** The answer of a route that refuses an ended event. */
export const ENDED_PROBLEM = {
  410: problem('`event_ended`: the event has ended (or is archived) and takes no stream'),
};
const STREAM_KEY_BYTES = 24;
/** Seconds a producer should wait before asking LiveKit again after it failed. */
const LIVEKIT_RETRY_AFTER_S = 2;

/** The WHIP ingest with its secret: shown only by the routes that show keys (POST). */
export const IngestSchema = z
  .object({
    mode: z.enum(['ingress', 'whip']),
    url: z.string().openapi({ description: 'the WHIP endpoint: POST the SDP offer here' }),
    streamKey: z.string().openapi({ description: 'send as `Authorization: Bearer <streamKey>`' }),
  })
  .openapi('WebrtcIngest');

/** The WHIP ingest without its secret, as `GET /v1/events/{id}/stream` shows it. */
const WhipAddressSchema = z
  .object({
    mode: z.enum(['ingress', 'whip']),
    url: z.string().nullable().openapi({
      description: 'the WHIP endpoint; null in `ingress` mode until a POST opened the ingress',
    }),
  })
  .nullable()
  .openapi('WhipAddress', { description: 'null: the WebRTC tier is not configured' });

/** A LiveKit failure as null (anything else rethrown). */
function unlessLiveTierError(err: unknown): null {
  if (err instanceof LiveTierError) return null;
  throw err;
}

/** Runs a LiveKit call, turning its failure into a 503 `livekit_unavailable`. */
export async function livekit<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof LiveTierError)) throw err;
    throw new ApiError('livekit_unavailable', `LiveKit: ${err.code}`, {
      cause: err,
      retryAfterS: LIVEKIT_RETRY_AFTER_S,
    });
  }
}

const StreamSchema = z
  .object({
    eventId: z.string(),
    source: z.enum(['encoder', 'demo']),
    ingest: z.object({
      rtmp: z.string().optional().openapi({ description: 'publish RTMP to `<rtmp>/<key>`' }),
      srt: z
        .string()
        .optional()
        .openapi({ description: 'call `<srt>?streamid=<key>` (MPEG-TS over SRT)' }),
    }),
    publisher: z
      .enum(['rtmp', 'srt'])
      .nullable()
      .openapi({ description: 'the protocol of the encoder publishing now (one at a time)' }),
    state: z.enum(['idle', 'live', 'ended']),
    renditions: z.array(
      z.object({
        name: z.string(),
        width: z.number(),
        height: z.number(),
        bitrate: z.number().nullable(),
        lastMsn: z.number().nullable(),
        lastPart: z.number().nullable(),
      }),
    ),
    bitrate: z.number().nullable().openapi({ description: 'bits/s, every rendition' }),
    lastPartAt: z.number().nullable().openapi({ description: 'ms since the Unix epoch' }),
  })
  .openapi('Stream');

const MEDIA_PROBLEMS = {
  503: problem(
    '`media_unavailable`: no media process is configured or it does not answer; ' +
      '`livekit_unavailable`: the WebRTC tier is configured and LiveKit did not answer',
  ),
};

function media(deps: AppDeps): StreamControl {
  if (!deps.streams) {
    throw new ApiError('media_unavailable', 'no media process is configured (MEDIA_TOKEN_SECRET)');
  }
  return deps.streams;
}

/** Runs a media call, translating its refusals into problems. */
async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof StreamControlError)) throw err;
    if (err.code === 'conflict') {
      throw new ApiError('stream_conflict', 'the demo test pattern feeds this event', {
        cause: err,
      });
    }
    throw new ApiError('media_unavailable', 'the media process does not answer', {
      cause: err,
      retryAfterS: 2,
    });
  }
}

export function streamRoutes(deps: AppDeps) {
  const logger = deps.logger ?? consoleLogger;
  const router = newRouter<{ Variables: StaffVariables }>();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events/{id}/stream',
      summary: 'Create or rotate the stream key (shown once)',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['producer'])] as const,
      request: { params: EventIdParams },
      responses: {
        201: {
          description:
            'The new key and the stream; the previous key stops working and its publisher is cut',
          content: {
            'application/json': {
              schema: z.object({
                key: z.string(),
                stream: StreamSchema,
                whip: IngestSchema.nullable().openapi({
                  description:
                    'the WHIP ingest (reused while it exists); null: the WebRTC tier is not configured',
                }),
              }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        409: problem('`stream_conflict`: the demo test pattern feeds this event'),
        ...ENDED_PROBLEM,
        ...MEDIA_PROBLEMS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const streams = media(deps);
      const event = await deps.db.events.get(id);
      if (!event) throw new ApiError('event_not_found', 'no event with this id');
      refuseEnded(event.state);
      // The WHIP ingest first: a LiveKit failure then answers 503 before the RTMP key rotates,
      // so no key is made that the producer never sees.
      const tier = deps.webrtc;
      const whip = tier ? await livekit(() => tier.ingestFor(event)) : null;
      const key = STREAM_KEY_PREFIX + randomBytes(STREAM_KEY_BYTES).toString('base64url');
      const sha256 = hashStreamKey(key).toString('hex');
      const stream: StreamInfo = await ask(() => streams.setKey(id, sha256));
      // Kept (the hash only) so a restarted media process gets it back (stream-key-restore.ts).
      await deps.db.streamKeys.set(id, sha256);
      await recordAudit(deps.db.audit, logger, c.var.staff, {
        eventId: id,
        action: 'stream.key_rotate',
      });
      if (whip) {
        await recordAudit(deps.db.audit, logger, c.var.staff, {
          eventId: id,
          action: 'webrtc.ingest',
        });
      }
      c.header('Cache-Control', 'no-store');
      const shown = whip && { mode: whip.mode, url: whip.url, streamKey: whip.streamKey };
      return c.json({ key, stream, whip: shown }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/stream',
      summary: 'The ingest address and the live stream status',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['producer', 'moderator', 'sre'])] as const,
      request: { params: EventIdParams },
      responses: {
        200: {
          description:
            'The stream, or null when no key was ever set; the WHIP ingest address (no key)',
          content: {
            'application/json': {
              schema: z.object({
                stream: StreamSchema.nullable(),
                whip: WhipAddressSchema,
                livekit: z.enum(['off', 'ok', 'unavailable']).openapi({
                  description:
                    'the WebRTC tier: off (not configured), ok, or unavailable (LiveKit did not answer the WHIP lookup; `whip` is null and the stream status is still shown)',
                }),
              }),
            },
          },
        },
        ...STAFF_PROBLEMS,
        ...MEDIA_PROBLEMS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const streams = media(deps);
      if (!(await deps.db.events.get(id))) {
        throw new ApiError('event_not_found', 'no event with this id');
      }
      const stream = await ask(() => streams.info(id));
      const tier = deps.webrtc;
      // A LiveKit outage must not hide the LL-HLS stream's status: the WHIP part is left out
      // and said to be unavailable.
      const whip = tier ? await tier.findIngest(id).catch(unlessLiveTierError) : null;
      const lk: 'off' | 'ok' | 'unavailable' = !tier ? 'off' : whip ? 'ok' : 'unavailable';
      c.header('Cache-Control', 'no-store');
      return c.json({ stream: stream ?? null, whip, livekit: lk }, 200);
    },
  );
  return router;
}
