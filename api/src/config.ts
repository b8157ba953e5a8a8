// The API's configuration: one zod schema over the environment, parsed once into a typed, frozen
// object; every problem is listed at once (ConfigError). Each variable carries its doc line as
// data, and a test holds docs/config.md to them. Only this file and main.ts read process.env (and
// this file only through the `env` argument).

import {
  ConfigError,
  documentVariables,
  host,
  integer,
  natsServers,
  otlpEndpoint,
  otlpExporter,
  otlpMetricInterval,
  otlpSignalEndpoint,
  METRIC_EXPORT_INTERVAL_MS,
  parseEnv,
  port,
  prefix,
  rateAndBurst,
  redisUrl,
  requireSharedState,
  ticketKeysSchema,
  variable,
  websocketUrl,
  type Env,
} from '@fanfare/fanout';
import { MIN_TOKEN_SECRET_BYTES } from '@fanfare/media';
import { TOKEN_ISSUER } from '@fanfare/protocol';
import { z } from 'zod';
import {
  JOIN_BUDGET,
  JOIN_LIMIT_PER_ADDRESS,
  JOIN_LIMIT_PER_EVENT,
  type RateLimit,
} from './join-limiter.js';
import type { ApiConfig } from './api-config.js';
import { FAN_TOKEN_TTL_S } from './token-issuer.js';

export { ConfigError };
export type { ApiConfig };

/** Default listen address: loopback, so a dev machine does not expose the API by accident. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Default listen port. */
export const DEFAULT_API_PORT = 8080;
/** Default WebSocket URL handed to fans: the gateway on this machine. */
export const DEFAULT_GATEWAY_PUBLIC_URL = 'ws://127.0.0.1:9001/ws';
/** Shortest fan token lifetime accepted, seconds (1 minute). */
export const MIN_FAN_TOKEN_TTL_S = 60;
/** Longest fan token lifetime accepted, seconds (24 hours); tokens cannot be revoked early. */
export const MAX_FAN_TOKEN_TTL_S = 24 * 60 * 60;
/** Default base of `playback.url`: the media origin on this machine (its default port). */
export const DEFAULT_MEDIA_PUBLIC_URL = 'http://127.0.0.1:8090';
/** MEDIA_TARGET_LATENCY_MS bounds: below PART-HOLD-BACK's floor (2 parts) no player keeps up. */
export const MIN_TARGET_LATENCY_MS = 300;
export const MAX_TARGET_LATENCY_MS = 10_000;
/** Shortest LiveKit API secret accepted, bytes (an HS256 key; LiveKit warns below 32). */
export const MIN_LIVEKIT_SECRET_BYTES = 32;
/** Default prefix of LiveKit room names. */
export const DEFAULT_LIVEKIT_ROOM_PREFIX = 'fanfare-';
/** Where the embedded mode keeps its database when PGLITE_DATA_DIR is unset. */
export const DEFAULT_PGLITE_DATA_DIR = '.fanfare/pglite';

const PEM_HEADER = '-----BEGIN PRIVATE KEY-----';
// Many secret stores and .env files hold a PEM on one line with literal `\n` escapes.
const unfold = (raw: string) => raw.replace(/\\n/g, '\n');

/** A header name, lowercased. */
const headerName = z
  .string()
  .transform((name) => name.toLowerCase())
  .refine((name) => /^[a-z0-9-]+$/.test(name), {
    message: 'must be a header name (letters, digits, -)',
  });

/** `<rate per second>/<burst>` (e.g. `5/50`), or `off` (undefined); unset: `fallback`. */
function rateLimit(fallback: RateLimit) {
  return rateAndBurst().transform((v): RateLimit | undefined =>
    v === undefined ? fallback : v === 'off' ? undefined : v,
  );
}

/** The API's variables, in the order docs/config.md lists them. */
export const API_VARIABLES = {
  API_HOST: variable(host(DEFAULT_API_HOST), { meaning: 'address the API listens on' }),
  API_PORT: variable(port(DEFAULT_API_PORT), { meaning: 'its port (0: any free port)' }),
  GATEWAY_PUBLIC_URL: variable(websocketUrl().default(DEFAULT_GATEWAY_PUBLIC_URL), {
    meaning:
      'the gateway URL handed to fans by the join call when `REDIS_URL` is unset (with Redis: the registry picks the shard; embedded mode: derived from the shard when unset)',
  }),
  JWT_ISSUER: variable(z.string().default(TOKEN_ISSUER), {
    meaning: '`iss` of issued tokens (the gateway checks the same value)',
  }),
  JWT_PRIVATE_KEY: variable(
    z
      .string()
      .transform(unfold)
      // Never echo the value: it is a secret, even when malformed.
      .refine((pem) => pem.includes(PEM_HEADER), {
        message: `must be a PKCS#8 PEM ("${PEM_HEADER}")`,
      })
      .optional(),
    {
      default: 'generated per process',
      meaning:
        'ES256 private key, PKCS#8 PEM (`\\n` escapes allowed); without it tokens die with the process',
    },
  ),
  JWT_KID: variable(z.string().optional(), {
    default: 'derived from the key',
    meaning: 'key id published in the JWKS',
  }),
  JWT_PUBLISHED_KEYS: variable(
    z
      .string()
      .optional()
      .transform((raw, ctx): readonly string[] => {
        if (raw === undefined) return [];
        const pems =
          unfold(raw).match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g) ?? [];
        if (pems.length === 0)
          ctx.addIssue({ code: 'custom', message: 'must hold PKCS#8 PEM private keys' });
        return pems;
      }),
    {
      default: 'none',
      meaning:
        'more PKCS#8 PEMs (concatenated) published in the JWKS but never signing: for rotation (below)',
    },
  ),
  FAN_TOKEN_TTL_S: variable(
    integer(MIN_FAN_TOKEN_TTL_S, MAX_FAN_TOKEN_TTL_S).default(FAN_TOKEN_TTL_S),
    { meaning: `fan token lifetime, seconds (${MIN_FAN_TOKEN_TTL_S}-${MAX_FAN_TOKEN_TTL_S})` },
  ),
  RESUME_TICKET_KEYS: variable(ticketKeysSchema(), {
    default: 'unset: joins carry no ticket',
    meaning:
      "the shards' resume ticket MAC keys (the same value as on every shard): the join reply then carries a ticket for the first connection, checked on the shard with one HMAC instead of the token's ES256 signature",
  }),
  REDIS_URL: redisUrl({
    default: 'unset: in-process state',
    meaning:
      'shard registry (joins go to the shard it picks), sanctions, votes and stages; required with `NATS_URL`',
  }),
  NATS_URL: natsServers({
    default: 'unset: in-process bus',
    meaning:
      'comma-separated `nats://` servers: notices to shards (core), deletions and archive reads (JetStream)',
  }),
  FANFARE_PREFIX: prefix({
    meaning:
      'namespace of Redis keys and NATS subjects (1-32 of `A-Za-z0-9_-`); the same on the API and every shard',
  }),
  DATABASE_URL: variable(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    {
      default: 'unset: PGlite',
      meaning:
        "Postgres, `postgres://…` (the distributed mode's system of record); migrations run at start",
    },
  ),
  PGLITE_DATA_DIR: variable(z.string().default(DEFAULT_PGLITE_DATA_DIR), {
    meaning:
      "without `DATABASE_URL`: PGlite's data directory, or `memory` for a database lost at exit",
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(),
  OTEL_METRIC_EXPORT_INTERVAL: otlpMetricInterval(METRIC_EXPORT_INTERVAL_MS),
  OTEL_TRACES_EXPORTER: otlpExporter('traces'),
  OTEL_METRICS_EXPORTER: otlpExporter('metrics'),
  CAPACITY_PROFILE: variable(z.string().min(1).optional(), {
    meaning:
      'a capacity profile (`loadtest/results/capacity.json` from `pnpm bench`) for pre-warm plans; unset: the documented default shard figures',
  }),
  COUNTRY_HEADER: variable(headerName.optional(), {
    meaning:
      "the trusted CDN header with the fan's ISO country (e.g. `cf-ipcountry`); without it, joins to events with a country allow-list are refused",
  }),
  CLIENT_ADDRESS_HEADER: variable(headerName.optional(), {
    default: 'unset: the socket peer',
    meaning:
      "the trusted proxy's header with the client address (e.g. `x-forwarded-for`; its last entry is used), for join rate limits; unset: the peer address, loopback peers unlimited",
  }),
  JOIN_LIMIT_PER_ADDRESS: variable(rateLimit(JOIN_LIMIT_PER_ADDRESS), {
    default: `\`${JOIN_LIMIT_PER_ADDRESS.ratePerSecond}/${JOIN_LIMIT_PER_ADDRESS.burst}\``,
    meaning: 'joins per second and burst from one client address (`off`: none); over it, 429',
  }),
  JOIN_LIMIT_PER_EVENT: variable(rateLimit(JOIN_LIMIT_PER_EVENT), {
    default: `\`${JOIN_LIMIT_PER_EVENT.ratePerSecond}/${JOIN_LIMIT_PER_EVENT.burst}\``,
    meaning: 'joins per second and burst to one event, per API replica (`off`: none); over it, 429',
  }),
  JOIN_BUDGET: variable(rateLimit(JOIN_BUDGET), {
    default: `\`${JOIN_BUDGET.ratePerSecond}/${JOIN_BUDGET.burst}\``,
    meaning:
      'admission control: joins per second and burst this API process signs, all events together (`off`: none); over it, 503 `overloaded` with a spread `Retry-After`, before the body is read or the event looked up',
  }),
  MEDIA_TOKEN_SECRET: variable(
    z
      .string()
      // Never echo the value: it is a secret, even when too short.
      .refine((secret) => Buffer.byteLength(secret) >= MIN_TOKEN_SECRET_BYTES, {
        message: `must be at least ${MIN_TOKEN_SECRET_BYTES} bytes`,
      })
      .optional(),
    {
      default: 'unset: no video',
      meaning: `HMAC key of playback tokens (at least ${MIN_TOKEN_SECRET_BYTES} bytes), the media process's own value; unset: join replies carry no \`playback\``,
    },
  ),
  MEDIA_PUBLIC_URL: variable(
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'must be an http:// or https:// URL' })
      .default(DEFAULT_MEDIA_PUBLIC_URL),
    {
      meaning:
        "the media origin (or its CDN) as fans reach it: `playback.url` is this plus `/live/<event>/<token>/master.m3u8`; the pre-warm fetches the event's playlists and init segments through it (readiness `cdn_edge`)",
    },
  ),
  MEDIA_TARGET_LATENCY_MS: variable(
    z
      .string()
      .regex(/^\d+$/, { message: `must be whole milliseconds` })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(MIN_TARGET_LATENCY_MS, { message: `must be at least ${MIN_TARGET_LATENCY_MS}` })
          .max(MAX_TARGET_LATENCY_MS, { message: `must be at most ${MAX_TARGET_LATENCY_MS}` }),
      )
      .optional(),
    {
      default: 'unset: PART-HOLD-BACK',
      meaning:
        "`playback.targetLatencyMs`: the delay behind live every viewer's player aims at, ms; unset: each player aims at the playlist's PART-HOLD-BACK",
    },
  ),
  MEDIA_CONTROL_URL: variable(
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+\/?$/, { message: 'must be an http:// or https:// origin' })
      .default(DEFAULT_MEDIA_PUBLIC_URL),
    {
      meaning:
        'the media process as the API reaches it (stream keys and status, `/control/`; not through a CDN)',
    },
  ),
  LIVEKIT_URL: variable(
    z
      .string()
      .regex(/^(https?|wss?):\/\/[^\s/]+\/?$/, {
        message: 'must be an http(s):// or ws(s):// origin',
      })
      .optional(),
    {
      default: 'unset: no WebRTC tier',
      meaning:
        'the LiveKit server (admin API and the URL handed to viewers); with the key and secret, the WebRTC tier is on ([livekit](livekit.md))',
    },
  ),
  LIVEKIT_API_KEY: variable(z.string().min(1).optional(), {
    meaning: 'LiveKit API key: `iss` of admin tokens and viewer tokens, and of webhooks received',
  }),
  LIVEKIT_API_SECRET: variable(
    z
      .string()
      // Never echo the value: it is a secret, even when too short.
      .refine((secret) => Buffer.byteLength(secret) >= MIN_LIVEKIT_SECRET_BYTES, {
        message: `must be at least ${MIN_LIVEKIT_SECRET_BYTES} bytes`,
      })
      .optional(),
    { meaning: `its secret (HS256 key, at least ${MIN_LIVEKIT_SECRET_BYTES} bytes)` },
  ),
  LIVEKIT_INGEST: variable(z.enum(['ingress', 'whip']).default('ingress'), {
    meaning:
      "the producer's WHIP ingest: `ingress` (LiveKit's Ingress service) or `whip` (the server's native `/whip/v1`)",
  }),
  LIVEKIT_ROOM_PREFIX: variable(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{0,32}$/, { message: 'must be 0-32 of A-Za-z0-9_-' })
      .default(DEFAULT_LIVEKIT_ROOM_PREFIX),
    {
      meaning:
        'room names are this plus the event id (deployments sharing one LiveKit differ here)',
    },
  ),
};

/** The WebRTC tier is on with all three LiveKit variables, off with none; anything between is a mistake. */
function requireLiveKitTriple(
  env: { LIVEKIT_URL?: string; LIVEKIT_API_KEY?: string; LIVEKIT_API_SECRET?: string },
  ctx: z.RefinementCtx,
): void {
  const set = [env.LIVEKIT_URL, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET].filter(
    (v) => v !== undefined,
  ).length;
  if (set !== 0 && set !== 3)
    ctx.addIssue({
      code: 'custom',
      path: ['LIVEKIT_URL'],
      message: 'set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET together, or none',
    });
}

const apiSchema = z
  .object(API_VARIABLES)
  .superRefine(requireSharedState, { when: () => true })
  .superRefine(requireLiveKitTriple, { when: () => true })
  .transform((env) => ({
    host: env.API_HOST,
    port: env.API_PORT,
    gatewayPublicUrl: env.GATEWAY_PUBLIC_URL,
    jwtIssuer: env.JWT_ISSUER,
    jwtPrivateKey: env.JWT_PRIVATE_KEY,
    jwtKid: env.JWT_KID,
    jwtPublishedKeys: env.JWT_PUBLISHED_KEYS,
    fanTokenTtlS: env.FAN_TOKEN_TTL_S,
    resumeTicketKeys: env.RESUME_TICKET_KEYS ?? [],
    redisUrl: env.REDIS_URL,
    natsServers: env.NATS_URL,
    prefix: env.FANFARE_PREFIX,
    databaseUrl: env.DATABASE_URL,
    pgliteDataDir: env.PGLITE_DATA_DIR,
    capacityProfile: env.CAPACITY_PROFILE,
    otlpEndpoint: otlpSignalEndpoint(env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_TRACES_EXPORTER),
    otlpMetricsEndpoint: otlpSignalEndpoint(
      env.OTEL_EXPORTER_OTLP_ENDPOINT,
      env.OTEL_METRICS_EXPORTER,
    ),
    otlpMetricIntervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
    countryHeader: env.COUNTRY_HEADER,
    clientAddressHeader: env.CLIENT_ADDRESS_HEADER,
    joinLimits: {
      perAddress: env.JOIN_LIMIT_PER_ADDRESS,
      perEvent: env.JOIN_LIMIT_PER_EVENT,
      budget: env.JOIN_BUDGET,
    },
    mediaTokenSecret: env.MEDIA_TOKEN_SECRET,
    mediaPublicUrl: env.MEDIA_PUBLIC_URL,
    mediaTargetLatencyMs: env.MEDIA_TARGET_LATENCY_MS,
    mediaControlUrl: env.MEDIA_CONTROL_URL,
    livekit:
      env.LIVEKIT_URL && env.LIVEKIT_API_KEY && env.LIVEKIT_API_SECRET
        ? {
            url: env.LIVEKIT_URL,
            apiKey: env.LIVEKIT_API_KEY,
            apiSecret: env.LIVEKIT_API_SECRET,
            ingest: env.LIVEKIT_INGEST,
            roomPrefix: env.LIVEKIT_ROOM_PREFIX,
          }
        : undefined,
  }));

/** Parses the API's environment. Throws ConfigError listing every problem found. */
export function loadApiConfig(env: Env): ApiConfig {
  return parseEnv<ApiConfig>(apiSchema, env, 'API configuration');
}

/** The API's variables with their doc lines (docs/config.md is held to these). */
export const apiVariables = () => documentVariables(API_VARIABLES);
