// The gateway's configuration: parsed once from the environment into a typed, frozen object.
// Every problem is listed at once. docs/config.md lists every variable.

import { TOKEN_ISSUER } from '@fanfare/protocol';
import { PRESENCE_INTERVAL_MS, REACTION_WINDOW_MS } from '@fanfare/fanout';
import type { ChatLimits } from './chat-guard.js';
import type { BucketSpec } from './token-bucket.js';
import type { KeySource } from './token-verifier.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9001;
export const WS_PATH = '/ws';
/** Fans one shard should hold: under the ~19.5k sockets a process may open here. */
export const SHARD_CAPACITY = 19_000;
/** uWS closes a socket at once on a bigger frame (the client sees 1006). */
export const HARD_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Frames above this get `frame_too_large` and are ignored; the socket stays open. */
export const MAX_FRAME_BYTES = 4 * 1024;
/** Seconds without traffic before uWS pings, and closes a socket that does not answer. */
export const IDLE_TIMEOUT_S = 60;
/** Chat: ~1 message/s, burst 3 (fans); staff 5/s, burst 20. Same text again: refused 30 s. */
export const CHAT_RATE_PER_SECOND = 1;
export const CHAT_BURST = 3;
export const STAFF_CHAT_RATE_PER_SECOND = 5;
export const STAFF_CHAT_BURST = 20;
export const CHAT_DUPLICATE_WINDOW_MS = 30_000;
/** Reaction taps per fan: 20/s, burst 60. */
export const REACTION_RATE_PER_SECOND = 20;
export const REACTION_BURST = 60;
/**
 * Votes per fan: 2/s, burst 5, refused with `rate_limited`. One vote per poll is the store's rule;
 * this only bounds the store calls one socket can cause (a fan has at most a few open polls).
 */
export const VOTE_RATE_PER_SECOND = 2;
export const VOTE_BURST = 5;
/**
 * Watch parties, per fan: chat 1/s burst 5 (a party is a small room: a little more burst than
 * the event's chat); changes (create, join, leave, command, ready, host) 5/s burst 10, since each
 * costs a store write and a notice. Over either: `rate_limited` with `retryAfterMs`.
 */
export const PARTY_CHAT_RATE_PER_SECOND = 1;
export const PARTY_CHAT_BURST = 5;
export const PARTY_OPS_RATE_PER_SECOND = 5;
export const PARTY_OPS_BURST = 10;
/** Event-wide chat ingest cap when the stage sets none, messages/s; 0: no cap. */
export const CHAT_CAP_PER_SEC = 0;
/** Any frame: 20/s, burst 60; past that the fan is closed with 4002 `flood`. */
export const FRAME_RATE_PER_SECOND = 20;
export const FRAME_BURST = 60;
/** Chat messages arriving within this window go out as one frame, ms. */
export const CHAT_BATCH_MS = 10;
/** Join snapshot: this many recent messages. */
export const SNAPSHOT_MESSAGES = 50;
/** Recent messages each room keeps in memory to resume reconnecting fans without a log read. */
export const RECENT_MESSAGES = 1_000;
/** Slow consumers, bytes buffered for one socket (see docs/protocol.md, "Slow consumers"). */
export const SIGNAL_DROP_BYTES = 64 * 1024;
export const SIGNAL_RESUME_BYTES = 16 * 1024;
export const SLOW_CLOSE_BYTES = 1024 * 1024;
export const BACKPRESSURE_HARD_BYTES = 4 * 1024 * 1024;
export const BACKPRESSURE_SWEEP_MS = 250;
/** Shutdown: readiness fails this long before the listener closes, ms. */
export const READINESS_GRACE_MS = 2_000;
export const CLOSE_BATCH_SIZE = 1_000;
export const DRAIN_TIMEOUT_MS = 10_000;

export interface BackpressureLimits {
  /** Above this, a fan stops getting superseded frames (reactions, presence). */
  signalDropBytes: number;
  /** Below this again (on drain), superseded frames resume, starting from the latest values. */
  signalResumeBytes: number;
  /** Above this, the fan is closed with 4001 `slow_consumer`. */
  slowCloseBytes: number;
  /** uWS's own limit: past it uWS drops and shuts the socket (a last resort, never reached when the sweep keeps up). */
  hardBytes: number;
  sweepIntervalMs: number;
}

export interface GatewayConfig {
  host: string;
  port: number;
  shardId: string;
  /** The URL fans use to reach this shard (registered for the API); derived when unset. */
  publicUrl: string | undefined;
  /** Fans this shard should hold; the API sends no more. */
  capacity: number;
  /** NATS servers (NATS_URL, comma-separated): set for the distributed mode, else in-memory. */
  natsServers: readonly string[];
  /** Redis (REDIS_URL): the shard registry; unset means no registry. */
  redisUrl: string | undefined;
  /** Namespace of NATS subjects, streams and Redis keys (FANFARE_PREFIX). */
  prefix: string;
  tokenIssuer: string;
  /** Where verification keys come from; undefined only when the caller injects a verifier. */
  keySource: KeySource | undefined;
  /** Origins allowed to open a socket; '*' allows any. Requests without Origin are allowed. */
  allowedOrigins: readonly string[] | '*';
  maxFrameBytes: number;
  idleTimeoutS: number;
  chat: ChatLimits;
  reactions: BucketSpec;
  frames: BucketSpec;
  votes: BucketSpec;
  partyChat: BucketSpec;
  partyOps: BucketSpec;
  /** Event-wide accepted chat per second when the stage sets no cap; 0: no cap. */
  chatCapPerSec: number;
  chatBatchMs: number;
  reactionWindowMs: number;
  presenceIntervalMs: number;
  snapshotMessages: number;
  recentMessages: number;
  backpressure: BackpressureLimits;
  readinessGraceMs: number;
  closeBatchSize: number;
  drainTimeoutMs: number;
}

export function defaultGatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    shardId: 'g1',
    publicUrl: undefined,
    capacity: SHARD_CAPACITY,
    natsServers: [],
    redisUrl: undefined,
    prefix: 'fanfare',
    tokenIssuer: TOKEN_ISSUER,
    keySource: undefined,
    allowedOrigins: '*',
    maxFrameBytes: MAX_FRAME_BYTES,
    idleTimeoutS: IDLE_TIMEOUT_S,
    chat: {
      fan: { ratePerSecond: CHAT_RATE_PER_SECOND, burst: CHAT_BURST },
      staff: { ratePerSecond: STAFF_CHAT_RATE_PER_SECOND, burst: STAFF_CHAT_BURST },
      duplicateWindowMs: CHAT_DUPLICATE_WINDOW_MS,
    },
    reactions: { ratePerSecond: REACTION_RATE_PER_SECOND, burst: REACTION_BURST },
    frames: { ratePerSecond: FRAME_RATE_PER_SECOND, burst: FRAME_BURST },
    votes: { ratePerSecond: VOTE_RATE_PER_SECOND, burst: VOTE_BURST },
    partyChat: { ratePerSecond: PARTY_CHAT_RATE_PER_SECOND, burst: PARTY_CHAT_BURST },
    partyOps: { ratePerSecond: PARTY_OPS_RATE_PER_SECOND, burst: PARTY_OPS_BURST },
    chatCapPerSec: CHAT_CAP_PER_SEC,
    chatBatchMs: CHAT_BATCH_MS,
    reactionWindowMs: REACTION_WINDOW_MS,
    presenceIntervalMs: PRESENCE_INTERVAL_MS,
    snapshotMessages: SNAPSHOT_MESSAGES,
    recentMessages: RECENT_MESSAGES,
    backpressure: {
      signalDropBytes: SIGNAL_DROP_BYTES,
      signalResumeBytes: SIGNAL_RESUME_BYTES,
      slowCloseBytes: SLOW_CLOSE_BYTES,
      hardBytes: BACKPRESSURE_HARD_BYTES,
      sweepIntervalMs: BACKPRESSURE_SWEEP_MS,
    },
    readinessGraceMs: READINESS_GRACE_MS,
    closeBatchSize: CLOSE_BATCH_SIZE,
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    ...overrides,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads the gateway's variables from `env`; throws ConfigError listing every problem. */
export function loadGatewayConfig(env: Env): Readonly<GatewayConfig> {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const base = defaultGatewayConfig();
  const keySource = ((): KeySource | undefined => {
    if (env.JWKS_URL && env.JWT_PUBLIC_KEY)
      problems.push('set JWKS_URL or JWT_PUBLIC_KEY, not both');
    if (env.JWKS_URL) {
      if (!URL.canParse(env.JWKS_URL)) problems.push(`JWKS_URL is not a URL: ${env.JWKS_URL}`);
      return { kind: 'jwks-url', url: env.JWKS_URL };
    }
    if (env.JWT_PUBLIC_KEY) return { kind: 'public-key', pem: env.JWT_PUBLIC_KEY };
    return undefined;
  })();
  const origins = env.GATEWAY_ALLOWED_ORIGINS?.trim();
  const natsServers = (env.NATS_URL ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of natsServers) {
    if (!/^(nats|tls):\/\//.test(url))
      problems.push(`NATS_URL entries must be nats:// URLs: ${url}`);
  }
  if (env.REDIS_URL && !/^rediss?:\/\//.test(env.REDIS_URL)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  }
  if (env.FANFARE_PREFIX && !/^[A-Za-z0-9_-]{1,32}$/.test(env.FANFARE_PREFIX)) {
    problems.push('FANFARE_PREFIX must be 1-32 of [A-Za-z0-9_-]');
  }
  const shardId = env.SHARD_ID ?? base.shardId;
  if (env.SHARD_PUBLIC_URL && !/^wss?:\/\//.test(env.SHARD_PUBLIC_URL)) {
    problems.push(`SHARD_PUBLIC_URL must be a ws:// or wss:// URL`);
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(shardId))
    problems.push(`SHARD_ID must be 1-32 of [A-Za-z0-9_-]`);
  const config: GatewayConfig = {
    ...base,
    host: env.GATEWAY_HOST ?? base.host,
    port: int('GATEWAY_PORT', base.port, 0, 65535),
    shardId,
    publicUrl: env.SHARD_PUBLIC_URL || undefined,
    capacity: int('SHARD_CAPACITY', SHARD_CAPACITY, 1, 10_000_000),
    natsServers: natsServers,
    redisUrl: env.REDIS_URL || undefined,
    prefix: env.FANFARE_PREFIX || base.prefix,
    tokenIssuer: env.JWT_ISSUER ?? base.tokenIssuer,
    keySource,
    allowedOrigins:
      !origins || origins === '*'
        ? '*'
        : origins
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    chat: {
      fan: {
        ratePerSecond: int('CHAT_RATE_PER_SECOND', CHAT_RATE_PER_SECOND, 1, 1_000_000),
        burst: int('CHAT_BURST', CHAT_BURST, 1, 1_000_000),
      },
      staff: base.chat.staff,
      duplicateWindowMs: int('CHAT_DUPLICATE_WINDOW_MS', CHAT_DUPLICATE_WINDOW_MS, 0, 3_600_000),
    },
    frames: {
      ratePerSecond: int('FRAME_RATE_PER_SECOND', FRAME_RATE_PER_SECOND, 1, 1_000_000),
      burst: int('FRAME_BURST', FRAME_BURST, 1, 1_000_000),
    },
    chatCapPerSec: int('GATEWAY_CHAT_CAP_PER_SEC', CHAT_CAP_PER_SEC, 0, 1_000_000),
    chatBatchMs: int('CHAT_BATCH_MS', CHAT_BATCH_MS, 0, 1000),
    idleTimeoutS: int('IDLE_TIMEOUT_S', IDLE_TIMEOUT_S, 8, 960),
    readinessGraceMs: int('READINESS_GRACE_MS', READINESS_GRACE_MS, 0, 60_000),
    drainTimeoutMs: int('DRAIN_TIMEOUT_MS', DRAIN_TIMEOUT_MS, 0, 600_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
