// The API's configuration as the process uses it: the typed, frozen result of config.ts's schema,
// each field named after the variable it comes from.

import type { ResumeTicketKey } from '@fanfare/fanout';
import type { LiveKitTierOptions } from '@fanfare/livekit';
import type { JoinLimits } from './join-limiter.js';

export interface ApiConfig {
  /** API_HOST: address to listen on. */
  readonly host: string;
  /** API_PORT: TCP port, 0 for any free port. */
  readonly port: number;
  /** GATEWAY_PUBLIC_URL: ws:// or wss:// URL fans connect to (without a registry). */
  readonly gatewayPublicUrl: string;
  /** JWT_ISSUER: `iss` of signed tokens; the gateway must expect the same. */
  readonly jwtIssuer: string;
  /** JWT_PRIVATE_KEY: PKCS#8 PEM of a P-256 key; undefined means an ephemeral key. */
  readonly jwtPrivateKey: string | undefined;
  /** JWT_KID: `kid` of the signing key; undefined means the key's RFC 7638 thumbprint. */
  readonly jwtKid: string | undefined;
  /**
   * JWT_PUBLISHED_KEYS: more PKCS#8 PEM private keys (concatenated) whose public halves are
   * published in the JWKS but never sign: the next key before a rotation, the previous one after.
   */
  readonly jwtPublishedKeys: readonly string[];
  /** FAN_TOKEN_TTL_S: fan token lifetime, seconds. */
  readonly fanTokenTtlS: number;
  /** RESUME_TICKET_KEYS: the shards' ticket keys; empty: the join reply carries no ticket. */
  readonly resumeTicketKeys: readonly ResumeTicketKey[];
  /** REDIS_URL: when set, joins are assigned to shards from the registry in Redis. */
  readonly redisUrl: string | undefined;
  /** NATS_URL (comma-separated): moderation notices reach the shards over NATS; else in-process. */
  readonly natsServers: readonly string[];
  /** FANFARE_PREFIX: namespace of Redis keys and NATS subjects shared with the shards. */
  readonly prefix: string;
  /** DATABASE_URL: Postgres (postgres://…); when unset, PGlite in PGLITE_DATA_DIR. */
  readonly databaseUrl: string | undefined;
  /** PGLITE_DATA_DIR: PGlite's data directory, or `memory` for a database lost at exit. */
  readonly pgliteDataDir: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: where traces go (OTLP/HTTP); unset (or OTEL_TRACES_EXPORTER=none): off. */
  readonly otlpEndpoint: string | undefined;
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the metrics push; unset (or OTEL_METRICS_EXPORTER=none): off. */
  readonly otlpMetricsEndpoint: string | undefined;
  /** OTEL_METRIC_EXPORT_INTERVAL: ms between pushes of the /metrics series over OTLP. */
  readonly otlpMetricIntervalMs: number;
  /** CAPACITY_PROFILE: the path of a capacity.json for pre-warm plans. */
  readonly capacityProfile: string | undefined;
  /** COUNTRY_HEADER: the trusted CDN header holding the fan's country (e.g. cf-ipcountry). */
  readonly countryHeader: string | undefined;
  /** CLIENT_ADDRESS_HEADER: the trusted proxy's client-address header; unset: the peer. */
  readonly clientAddressHeader: string | undefined;
  /** JOIN_LIMIT_PER_ADDRESS, JOIN_LIMIT_PER_EVENT and JOIN_BUDGET (undefined: off). */
  readonly joinLimits: JoinLimits;
  /** MEDIA_TOKEN_SECRET: the playback token key shared with the media process; unset: no video. */
  readonly mediaTokenSecret: string | undefined;
  /** MEDIA_PUBLIC_URL: the base of `playback.url`. */
  readonly mediaPublicUrl: string;
  /** MEDIA_TARGET_LATENCY_MS: `playback.targetLatencyMs`; undefined: PART-HOLD-BACK. */
  readonly mediaTargetLatencyMs: number | undefined;
  /** MEDIA_CONTROL_URL: where the API asks the media process for stream keys and status. */
  readonly mediaControlUrl: string;
  /** LIVEKIT_*: the WebRTC tier's server; undefined (all three unset): the tier is off. */
  readonly livekit: LiveKitTierOptions | undefined;
}
