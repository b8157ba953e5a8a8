// The gateway's configuration as the process uses it (GatewayConfig) and its defaults: the fixed
// limits as named constants with their units, documented in docs/config.md. config.ts reads the
// environment's overrides of them.

import { RESUME_TICKET_TTL_S, TOKEN_ISSUER } from '@fanfare/protocol';
import { DEFAULT_PREFIX, PRESENCE_INTERVAL_MS, REACTION_WINDOW_MS } from '@fanfare/fanout';
import { randomBytes } from 'node:crypto';
import { DEFAULT_ADMISSION, type AdmissionSetting } from './admission.js';
import type { ChatLimits } from './chat-guard.js';
import type { BucketSpec } from './token-bucket.js';
import type { KeySource } from './token-verifier.js';
import { MIN_TICKET_SECRET_BYTES, type ResumeTicketKey } from '@fanfare/fanout';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9001;
export const DEFAULT_SHARD_ID = 'g1';

export const WS_PATH = '/ws';
/** Fans one shard should hold: under the ~19.5k sockets a process may open here. */
export const SHARD_CAPACITY = 19_000;
/** uWS closes a socket at once on a bigger frame (the client sees 1006). */
export const HARD_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Frames above this get `frame_too_large` and are ignored; the socket stays open. */
export const MAX_FRAME_BYTES = 4 * 1024;
/** Seconds without traffic before uWS pings, and closes a socket that does not answer. */
export const IDLE_TIMEOUT_S = 60;
/** Sockets one user may hold open on a shard at once; a newer one closes the oldest (4502). */
export const MAX_SOCKETS_PER_USER = 5;
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

/** Resume tickets: MAC keys (the first signs, all verify) and a ticket's lifetime. */
export interface ResumeTicketConfig {
  /** Empty: no ticket is issued, and a `?ticket=` is refused as `ticket_invalid`. */
  keys: readonly ResumeTicketKey[];
  ttlS: number;
}

/** A random key of this process alone: enough for a shard that runs alone. */
export function localTicketKey(): ResumeTicketKey {
  return { id: 'local', secret: randomBytes(MIN_TICKET_SECRET_BYTES) };
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
  /** Sockets one user may hold on this shard; past it the oldest is closed with 4502. */
  maxSocketsPerUser: number;
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
  /** The connection-rate budget (admission control), and where it came from. */
  admission: AdmissionSetting;
  /** CAPACITY_PROFILE: a capacity.json whose connect rate sets the budget when the variable does not. */
  capacityProfile: string | undefined;
  resumeTickets: ResumeTicketConfig;
  /** The QoE windows' length, ms; QOE_WINDOW_MS when absent. Not a setting: tests shorten it. */
  qoeWindowMs?: number;
}

export function defaultGatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    shardId: DEFAULT_SHARD_ID,
    publicUrl: undefined,
    capacity: SHARD_CAPACITY,
    natsServers: [],
    redisUrl: undefined,
    prefix: DEFAULT_PREFIX,
    tokenIssuer: TOKEN_ISSUER,
    keySource: undefined,
    allowedOrigins: '*',
    maxFrameBytes: MAX_FRAME_BYTES,
    idleTimeoutS: IDLE_TIMEOUT_S,
    maxSocketsPerUser: MAX_SOCKETS_PER_USER,
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
    admission: { spec: DEFAULT_ADMISSION, source: 'default' },
    capacityProfile: undefined,
    resumeTickets: { keys: [localTicketKey()], ttlS: RESUME_TICKET_TTL_S },
    ...overrides,
  };
}
