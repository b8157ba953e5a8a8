// The HTTP face of the API as a Hono app built from injected parts, so tests drive it with
// `app.request()` and the embedded launcher mounts the same app the standalone service runs.
// Errors are translated to problem+json in one place (`onError`), never inside handlers.

import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import type { Context } from 'hono';
import { routePath } from 'hono/route';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  fanCountry,
  isEventId,
  PROBLEM_CONTENT_TYPE,
  type Author,
  type Entitlement,
  type Playback,
  type ResumeTicketGrant,
} from '@fanfare/protocol';
import { consoleLogger } from '@fanfare/fanout';
import type { AppDeps } from './app-deps.js';
import { bodyText, jsonBodyLimit } from './body-limit.js';
import type { EventInfo } from './event-directory.js';
import { clientAddress, peerAddress } from './join-limiter.js';
import {
  JOIN_BODY_MAX_BYTES,
  newAnonymousUserId,
  newFanName,
  parseJoinRequest,
} from './join-request.js';
import { activeTraceId, childSpan, serverSpan, withTraceparent } from './tracing.js';
import { JOIN_ADMITTED, UNMATCHED_ROUTE, ApiMetrics } from './metrics.js';
import { ApiError, fromDbError, toProblem } from './problem.js';
import { auditRoutes } from './routes/audit.js';
import { chatRuleRoutes } from './routes/chat-rules.js';
import { credentialRoutes } from './routes/credentials.js';
import { eventRoutes } from './routes/events.js';
import { historyRoutes } from './routes/history.js';
import { messageRoutes } from './routes/messages.js';
import { pollRoutes } from './routes/polls.js';
import { prewarmRoutes } from './routes/prewarm.js';
import { qoeRoutes } from './routes/qoe.js';
import { shardRoutes } from './routes/shards.js';
import { sanctionRoutes } from './routes/sanctions.js';
import { streamRoutes } from './routes/stream.js';
import { webrtcRoutes } from './routes/webrtc.js';
import { ticketRoutes } from './routes/tickets.js';
import { bearerToken } from './staff-auth.js';

/** How long verifiers and proxies may cache the JWKS, seconds. Bounds how soon a new kid is seen. */
export const JWKS_MAX_AGE_S = 300;

/** Seconds a fan refused for lack of gateway capacity should wait before joining again. */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

/** Longest incoming X-Request-Id honoured, characters; longer ones are replaced. */
export const REQUEST_ID_MAX_CHARS = 128;

/** The body of a successful join. */
export interface JoinResponse {
  token: string;
  gatewayUrl: string;
  eventId: string;
  user: Author;
  /** When the token expires, ms since the Unix epoch; join again before then. */
  expiresAt: number;
  /** How to watch the event's video; absent when no media service is configured. */
  playback?: Playback;
  /**
   * A resume ticket for the first connection (`?ticket=` instead of the token): the shard checks
   * it with one HMAC instead of the token's signature. Absent when the API holds no ticket keys.
   */
  resumeTicket?: ResumeTicketGrant;
}

/** The join route's template, as the metrics label it. */
const JOIN_ROUTE = '/v1/events/:id/join';

type AppEnv = {
  Variables: RequestIdVariables & {
    /** The problem code answered, for the metrics (set where problems are answered). */
    problemCode?: string;
    /** Set when no route matched, so the metrics label the request `unmatched`. */
    unmatched?: true;
  };
};

/** Hono's own 400s (a body that is not JSON, seen by a validator) in our terms. */
function asApiError(err: unknown): unknown {
  if (err instanceof HTTPException && err.status === 400) {
    return new ApiError('invalid_json', 'the request body is not valid JSON', { cause: err });
  }
  if (err instanceof HTTPException && err.status === 415) {
    return new ApiError('unsupported_media_type', 'send the body as application/json', {
      cause: err,
    });
  }
  return fromDbError(err);
}

/** Refuses (429 `rate_limited`) a join over its address's or its event's rate. */
function admitJoin(deps: AppDeps, eventId: string, c: Context): void {
  const header = deps.clientAddressHeader;
  const address = clientAddress(header, header && c.req.header(header), peerAddress(c.env));
  const refusal = deps.joinLimiter?.admit(eventId, address);
  if (refusal?.code === 'overloaded') {
    throw new ApiError('overloaded', 'the API is at its join rate; wait as Retry-After says', {
      retryAfterS: refusal.retryAfterS,
    });
  }
  if (refusal) {
    throw new ApiError('rate_limited', 'too many joins; wait as Retry-After says', {
      retryAfterS: refusal.retryAfterS,
    });
  }
}

/** Refuses a join the event's country allow-list does not admit. */
function checkCountry(event: EventInfo, country: string | undefined): void {
  if (event.countryAllowList === null) return;
  if (country === undefined || !event.countryAllowList.includes(country.trim().toUpperCase())) {
    throw new ApiError('country_not_allowed', 'this event is not open to fans from your country');
  }
}

function problemResponse(c: Context<AppEnv>, err: unknown): Response {
  const problem = toProblem(err, c.get('requestId'));
  c.set('problemCode', problem.code);
  if (err instanceof ApiError && err.retryAfterS !== undefined) {
    c.header('Retry-After', String(err.retryAfterS));
  }
  return c.body(JSON.stringify(problem), problem.status, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
  });
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const logger = deps.logger ?? consoleLogger;
  const ready = deps.ready ?? (() => true);
  const app = new OpenAPIHono<AppEnv>();

  // Honours a caller's id when it is short and made of [A-Za-z0-9_=-], else makes a UUID; the
  // id is set on the response headers before the handler runs, so error responses carry it too.
  app.use(requestId({ limitLength: REQUEST_ID_MAX_CHARS }));

  // Every answered request by route template; joins also by outcome. Runs around everything
  // (onError's and notFound's answers included: compose hands them back to this middleware).
  const metrics = deps.metrics ?? new ApiMetrics();
  app.use(async (c, next) => {
    const started = performance.now();
    await serverSpan(c.req.header(), async (span) => {
      await next();
      const route = c.get('unmatched') ? UNMATCHED_ROUTE : routePath(c, -1);
      const status = c.res.status;
      span.updateName(`${c.req.method} ${route}`);
      span.setAttributes({
        'http.request.method': c.req.method,
        'http.route': route,
        'http.response.status_code': status,
      });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      metrics.observe(c.req.method, route, status, (performance.now() - started) / 1000);
      if (route === JOIN_ROUTE && c.req.method === 'POST') {
        const outcome = status < 400 ? JOIN_ADMITTED : (c.get('problemCode') ?? String(status));
        metrics.joins.inc({ outcome });
        span.setAttribute('fanfare.join.outcome', outcome);
      }
    });
  });

  app.onError((thrown, c) => {
    const err = asApiError(thrown);
    if (!(err instanceof ApiError) || err.status === 500) {
      logger.error('request failed', {
        requestId: c.get('requestId'),
        traceId: activeTraceId(),
        method: c.req.method,
        path: c.req.path,
        err,
      });
    }
    return problemResponse(c, err);
  });

  app.notFound((c) => {
    c.set('unmatched', true);
    return problemResponse(c, new ApiError('not_found', `no route for ${c.req.path}`));
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Prometheus text format, unauthenticated like /healthz: keep it off the public ingress.
  app.get('/metrics', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.body(await metrics.registry.metrics(), 200, {
      'Content-Type': metrics.registry.contentType,
    });
  });

  app.get('/readyz', (c) =>
    ready() ? c.json({ status: 'ready' }) : c.json({ status: 'not_ready' }, 503),
  );

  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_S}`);
    return c.json(deps.keys.jwks());
  });

  app.post(JOIN_ROUTE, jsonBodyLimit(JOIN_BODY_MAX_BYTES), async (c) => {
    const eventId = c.req.param('id');
    // A malformed id can name no event, so it gets the same answer as an unknown one.
    if (!isEventId(eventId)) throw new ApiError('event_not_found', 'no event with this id');
    admitJoin(deps, eventId, c);
    // Parsed before the lookup so malformed requests cost no directory read.
    const request = parseJoinRequest(await bodyText(c, JOIN_BODY_MAX_BYTES));
    const event = await childSpan('event.lookup', () => deps.events.get(eventId));
    // A draft is not public yet: to fans it does not exist.
    if (event === undefined || event.state === 'draft') {
      throw new ApiError('event_not_found', 'no event with this id');
    }
    if (event.state === 'ended' || event.state === 'archived') {
      throw new ApiError('event_ended', 'this event has ended');
    }
    const country = deps.countryHeader ? c.req.header(deps.countryHeader) : undefined;
    checkCountry(event, country);
    // A fan coming back (its shard went away, its token is about to expire) or arriving with
    // a ticket shows its token and keeps its identity: the same user id keeps its
    // idempotency keys valid, and its entitlements carry over.
    const previous = bearerToken(c.req.header('authorization'));
    let user: Author = {
      id: newAnonymousUserId(),
      name: request.name ?? newFanName(),
      role: 'fan',
    };
    let ent: Entitlement[] = [];
    let authTime: number | undefined;
    if (previous !== undefined) {
      const claims = await deps.issuer.verifyFanToken(previous);
      if (!claims || claims.evt !== event.id) {
        throw new ApiError('unauthorized', 'the bearer token is not a fan token for this event');
      }
      if (deps.issuer.sessionExpired(claims)) {
        throw new ApiError('session_expired', 'this session is too old to renew; join afresh');
      }
      user = { id: claims.sub, name: claims.name, role: claims.role };
      ent = claims.ent ?? [];
      authTime = claims.auth_time;
      // A banned fan keeps being refused here too, not only by the shards.
      if ((await deps.moderation.current(event.id, user.id))?.kind === 'ban') {
        throw new ApiError('banned', 'a moderator banned you from this event');
      }
    }
    if (event.access === 'ticketed' && user.role === 'fan' && !ent.includes('ticketed')) {
      throw new ApiError('not_entitled', 'this event is for ticket holders; join with your ticket');
    }
    const choice = await deps.gatewayUrl(event.id, request.unreachable);
    const gateway = typeof choice === 'string' ? { url: choice, placement: undefined } : choice;
    if (!gateway?.url) {
      c.header('Retry-After', String(UNAVAILABLE_RETRY_AFTER_S));
      throw new ApiError('unavailable', 'no gateway can take this fan now; retry shortly');
    }
    const { token, expiresAt } = await childSpan('token.issue', () =>
      deps.issuer.issueFanToken({
        sub: user.id,
        evt: event.id,
        role: user.role,
        name: user.name,
        ...(ent.length > 0 ? { ent } : {}),
        ...(authTime !== undefined ? { auth_time: authTime } : {}),
        // Where this join came from (not the first join's): the shards label QoE by it.
        ...(fanCountry(country) !== undefined ? { cty: fanCountry(country) } : {}),
        ...(gateway.placement ? { plc: gateway.placement } : {}),
      }),
    );
    // Only here, after every check above: the URL itself is the viewer's authorisation. A
    // WebRTC seat needs the LL-HLS URL as its fallback, so no media service means neither.
    const llHls = deps.playback?.issue(event.id, user.id, expiresAt);
    const asked = request.tiers?.includes('webrtc') ?? false;
    const playback =
      llHls && deps.webrtc
        ? await deps.webrtc.choose(
            { eventId: event.id, budget: event.webrtcSeats, user, ent, asked },
            llHls,
          )
        : llHls;
    const resumeTicket = deps.tickets?.issue(
      {
        sub: user.id,
        evt: event.id,
        role: user.role,
        name: user.name,
        ent,
        ...(fanCountry(country) !== undefined ? { cty: fanCountry(country) } : {}),
      },
      Math.floor(expiresAt / 1000),
      deps.clock?.now() ?? Date.now(),
      gateway.placement,
    );
    const body: JoinResponse = {
      token,
      gatewayUrl: withTraceparent(gateway.url),
      eventId: event.id,
      user,
      expiresAt,
      ...(playback ? { playback } : {}),
      ...(resumeTicket ? { resumeTicket } : {}),
    };
    // A bearer token: no cache, shared or private, may keep it.
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });

  for (const routes of [
    eventRoutes,
    pollRoutes,
    messageRoutes,
    chatRuleRoutes,
    historyRoutes,
    sanctionRoutes,
    ticketRoutes,
    auditRoutes,
    credentialRoutes,
    streamRoutes,
    prewarmRoutes,
    shardRoutes,
    qoeRoutes,
    webrtcRoutes,
  ]) {
    app.route('/', routes({ ...deps, metrics }));
  }

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A staff token (audience fanfare-api) or an API key (`ffk_…`) for control routes.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Fanfare control API',
      version: '1.0.0',
      description:
        'Events, polls, moderation, tokens and credentials. Errors are application/problem+json.',
    },
  });

  // The fan page and the console (web/), when built pages were handed in.
  if (deps.pages) app.route('/', deps.pages.routes());

  return app;
}
