// The gateway's configuration: one zod schema over the environment, parsed once into a typed,
// frozen object, every problem listed at once (ConfigError), the token-key rule included. Each
// variable carries its doc line as data; a test holds docs/config.md to them. The fixed limits
// below are named constants, documented in docs/config.md too.

import { RESUME_TICKET_TTL_S, TOKEN_ISSUER } from '@fanfare/protocol';
import {
  ASSIGNMENT_HEADROOM,
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
  variable,
  type Env,
} from '@fanfare/fanout';
import { z } from 'zod';
import { DEFAULT_ADMISSION } from './admission.js';
import type { KeySource } from './token-verifier.js';
import {
  CHAT_BATCH_MS,
  CHAT_BURST,
  CHAT_CAP_PER_SEC,
  CHAT_DUPLICATE_WINDOW_MS,
  CHAT_RATE_PER_SECOND,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHARD_ID,
  DRAIN_TIMEOUT_MS,
  FRAME_BURST,
  FRAME_RATE_PER_SECOND,
  IDLE_TIMEOUT_S,
  MAX_SOCKETS_PER_USER,
  READINESS_GRACE_MS,
  SHARD_CAPACITY,
  defaultGatewayConfig,
  localTicketKey,
  type GatewayConfig,
} from './defaults.js';
import { ticketKeysSchema } from '@fanfare/fanout';

export { ConfigError };
export * from './defaults.js';

const ORIGINS_DEFAULT = '*';

/** The gateway's variables, in the order docs/config.md lists them. */
export const GATEWAY_VARIABLES = {
  GATEWAY_HOST: variable(host(DEFAULT_HOST), { meaning: 'address the shard listens on' }),
  GATEWAY_PORT: variable(port(DEFAULT_PORT), { meaning: 'its port (0: any free port)' }),
  SHARD_ID: variable(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be 1-32 of [A-Za-z0-9_-]' })
      .default(DEFAULT_SHARD_ID),
    { meaning: "this shard's name in the registry, signals and logs (1-32 of `A-Za-z0-9_-`)" },
  ),
  JWKS_URL: variable(
    z
      .string()
      .superRefine((raw, ctx) => {
        if (!URL.canParse(raw)) ctx.addIssue({ code: 'custom', message: `is not a URL: ${raw}` });
      })
      .optional(),
    {
      default: "(embedded: the API's)",
      meaning:
        'where verification keys come from (cached; refetched for an unknown `kid`); this or `JWT_PUBLIC_KEY` is required',
    },
  ),
  JWT_PUBLIC_KEY: variable(z.string().optional(), {
    meaning: 'alternatively, one SPKI PEM public key',
  }),
  JWT_ISSUER: variable(z.string().default(TOKEN_ISSUER), { meaning: 'required `iss`' }),
  GATEWAY_ALLOWED_ORIGINS: variable(
    z
      .string()
      .default(ORIGINS_DEFAULT)
      .transform((raw): readonly string[] | '*' =>
        raw === '*'
          ? '*'
          : raw
              .split(',')
              .map((o) => o.trim())
              .filter(Boolean),
      ),
    {
      default: "`*` (embedded: the API's origin)",
      meaning:
        'comma-separated browser origins allowed to connect; requests without `Origin` are allowed',
    },
  ),
  CHAT_RATE_PER_SECOND: variable(rate(CHAT_RATE_PER_SECOND), {
    meaning: 'chat messages per second per fan',
  }),
  CHAT_BURST: variable(rate(CHAT_BURST), { meaning: 'chat burst per fan' }),
  CHAT_DUPLICATE_WINDOW_MS: variable(integer(0, 3_600_000).default(CHAT_DUPLICATE_WINDOW_MS), {
    meaning: 'how long the same text is refused (0: never)',
  }),
  FRAME_RATE_PER_SECOND: variable(rate(FRAME_RATE_PER_SECOND), {
    meaning: 'any frames per second per fan before close 4002',
  }),
  FRAME_BURST: variable(rate(FRAME_BURST), { meaning: 'burst of the above' }),
  CHAT_BATCH_MS: variable(integer(0, 1000).default(CHAT_BATCH_MS), {
    meaning: 'chat arriving within this window goes out in one frame (0: no batching)',
  }),
  IDLE_TIMEOUT_S: variable(integer(8, 960).default(IDLE_TIMEOUT_S), {
    meaning: 'silence before uWS pings and then closes (8-960)',
  }),
  MAX_SOCKETS_PER_USER: variable(integer(1, 1000).default(MAX_SOCKETS_PER_USER), {
    meaning: 'sockets one user may hold on a shard; a newer one closes the oldest with 4502',
  }),
  READINESS_GRACE_MS: variable(integer(0, 60_000).default(READINESS_GRACE_MS), {
    default: '`2000` (embedded: `0`)',
    meaning: 'on shutdown, how long `/readyz` fails before the listener closes',
  }),
  DRAIN_TIMEOUT_MS: variable(integer(0, 600_000).default(DRAIN_TIMEOUT_MS), {
    meaning: 'on shutdown, how long fans get to close before they are cut',
  }),
  NATS_URL: natsServers({
    default: 'unset: alone, in-process bus/log',
    meaning:
      'comma-separated `nats://` servers: core NATS for signals, JetStream for the event log',
  }),
  REDIS_URL: redisUrl({
    default: 'unset: in-process state',
    meaning:
      'registry heartbeat, sanctions, votes, stages and parties; required with `NATS_URL` (a shard among others refuses to start without it)',
  }),
  FANFARE_PREFIX: prefix({
    meaning: 'namespace of subjects, streams and keys; the same on the API and every shard',
  }),
  SHARD_PUBLIC_URL: variable(
    z
      .string()
      .regex(/^wss?:\/\//, { message: 'must be a ws:// or wss:// URL' })
      .optional(),
    {
      default: '`ws://<host>:<port>/ws`',
      meaning: 'the URL the registry hands to fans for this shard',
    },
  ),
  SHARD_CAPACITY: variable(integer(1, 10_000_000).default(SHARD_CAPACITY), {
    meaning: `fans this shard holds; the API assigns fans only up to ${Math.round((1 - ASSIGNMENT_HEADROOM) * 100)} % of it (the rest is headroom for reconnects), so capacity 21 takes ${Math.floor(21 * (1 - ASSIGNMENT_HEADROOM))} assigned fans and refuses the rest with 503`,
  }),
  GATEWAY_CHAT_CAP_PER_SEC: variable(integer(0, 1_000_000).default(CHAT_CAP_PER_SEC), {
    default: '`0` (no cap)',
    meaning:
      'event-wide accepted chat messages/s when the event sets no `chatCapPerSec`; each shard enforces cap × its fans / all viewers (at least 1/s), keeping 20 % for staff and ticket holders',
  }),
  GATEWAY_ADMISSION_RATE: variable(rateAndBurst(), {
    default: `unset: from \`CAPACITY_PROFILE\`, else \`${DEFAULT_ADMISSION.ratePerSecond}/${DEFAULT_ADMISSION.burst}\``,
    meaning:
      'admission control: upgrades per second and burst this shard starts (`off`: none); past it an upgrade is refused before its token is read with 503 `overloaded` and a spread `Retry-After` ([operations](operations.md#admission-control))',
  }),
  CAPACITY_PROFILE: variable(z.string().min(1).optional(), {
    meaning:
      "a capacity profile (`loadtest/results/capacity.json` from `pnpm bench`): without `GATEWAY_ADMISSION_RATE`, the budget is its measured connects/s with a burst of a quarter second's worth",
  }),
  RESUME_TICKET_KEYS: variable(ticketKeysSchema(), {
    default: 'alone: a random key per start; with `NATS_URL`: none (no tickets)',
    meaning:
      'resume ticket MAC keys, `id:base64url-secret` comma-separated (secret >= 32 bytes), the same on every shard; the first signs, all verify (rotation: add the new key first, drop the old one a ticket lifetime later)',
  }),
  RESUME_TICKET_TTL_S: variable(integer(10, 3600).default(RESUME_TICKET_TTL_S), {
    meaning:
      "a resume ticket's lifetime, seconds; never past the token's `exp`; a connected fan gets a new one every half lifetime",
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint(),
  OTEL_METRIC_EXPORT_INTERVAL: otlpMetricInterval(METRIC_EXPORT_INTERVAL_MS),
  OTEL_TRACES_EXPORTER: otlpExporter('traces'),
  OTEL_METRICS_EXPORTER: otlpExporter('metrics'),
};

function rate(fallback: number) {
  return integer(1, 1_000_000).default(fallback);
}

/** Exactly one key source: the token checks are part of the schema. */
function requireOneKeySource(
  env: { JWKS_URL?: unknown; JWT_PUBLIC_KEY?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (env.JWKS_URL && env.JWT_PUBLIC_KEY)
    ctx.addIssue({ code: 'custom', message: 'set JWKS_URL or JWT_PUBLIC_KEY, not both' });
  if (!env.JWKS_URL && !env.JWT_PUBLIC_KEY)
    ctx.addIssue({ code: 'custom', message: "set JWKS_URL (the API's JWKS) or JWT_PUBLIC_KEY" });
}

/** A parsed gateway configuration always names where its keys come from. */
export type LoadedGatewayConfig = Readonly<GatewayConfig & ProcessOnly>;

/** What only the process's main reads: where keys come from and where traces go. */
interface ProcessOnly {
  keySource: KeySource;
  /** OTEL_EXPORTER_OTLP_ENDPOINT for traces; undefined: tracing off (or OTEL_TRACES_EXPORTER=none). */
  otlpEndpoint: string | undefined;
  /** OTEL_EXPORTER_OTLP_ENDPOINT for metrics; undefined: off (or OTEL_METRICS_EXPORTER=none). */
  otlpMetricsEndpoint: string | undefined;
  /** OTEL_METRIC_EXPORT_INTERVAL: ms between OTLP metric pushes. */
  otlpMetricIntervalMs: number;
}

const gatewaySchema = z
  .object(GATEWAY_VARIABLES)
  .superRefine(requireSharedState, { when: () => true })
  .superRefine(requireOneKeySource, { when: () => true })
  .transform((env): GatewayConfig & ProcessOnly => {
    const base = defaultGatewayConfig();
    return {
      ...base,
      host: env.GATEWAY_HOST,
      port: env.GATEWAY_PORT,
      shardId: env.SHARD_ID,
      publicUrl: env.SHARD_PUBLIC_URL,
      capacity: env.SHARD_CAPACITY,
      natsServers: env.NATS_URL,
      redisUrl: env.REDIS_URL,
      prefix: env.FANFARE_PREFIX,
      tokenIssuer: env.JWT_ISSUER,
      keySource: env.JWKS_URL
        ? { kind: 'jwks-url', url: env.JWKS_URL }
        : { kind: 'public-key', pem: env.JWT_PUBLIC_KEY ?? '' },
      allowedOrigins: env.GATEWAY_ALLOWED_ORIGINS,
      chat: {
        fan: { ratePerSecond: env.CHAT_RATE_PER_SECOND, burst: env.CHAT_BURST },
        staff: base.chat.staff,
        duplicateWindowMs: env.CHAT_DUPLICATE_WINDOW_MS,
      },
      frames: { ratePerSecond: env.FRAME_RATE_PER_SECOND, burst: env.FRAME_BURST },
      chatCapPerSec: env.GATEWAY_CHAT_CAP_PER_SEC,
      chatBatchMs: env.CHAT_BATCH_MS,
      idleTimeoutS: env.IDLE_TIMEOUT_S,
      maxSocketsPerUser: env.MAX_SOCKETS_PER_USER,
      readinessGraceMs: env.READINESS_GRACE_MS,
      drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
      admission:
        env.GATEWAY_ADMISSION_RATE === undefined
          ? base.admission
          : {
              spec: env.GATEWAY_ADMISSION_RATE === 'off' ? undefined : env.GATEWAY_ADMISSION_RATE,
              source: 'variable',
            },
      capacityProfile: env.CAPACITY_PROFILE,
      otlpEndpoint: otlpSignalEndpoint(env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_TRACES_EXPORTER),
      otlpMetricsEndpoint: otlpSignalEndpoint(
        env.OTEL_EXPORTER_OTLP_ENDPOINT,
        env.OTEL_METRICS_EXPORTER,
      ),
      otlpMetricIntervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
      resumeTickets: {
        // A shard alone is the only one to read its tickets; among others, a key of its own
        // would refuse every ticket another shard issued, so there are none unless configured.
        keys: env.RESUME_TICKET_KEYS ?? (env.NATS_URL.length === 0 ? [localTicketKey()] : []),
        ttlS: env.RESUME_TICKET_TTL_S,
      },
    };
  });

/** Reads the gateway's variables from `env`; throws ConfigError listing every problem. */
export function loadGatewayConfig(env: Env): LoadedGatewayConfig {
  return parseEnv(gatewaySchema, env, 'gateway configuration');
}

/** The gateway's variables with their doc lines (docs/config.md is held to these). */
export const gatewayVariables = () => documentVariables(GATEWAY_VARIABLES);
