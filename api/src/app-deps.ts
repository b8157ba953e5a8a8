// What the API's HTTP app is built from: every seam and service `createApp` and the route
// modules need, wired once by the control plane (main.ts, the embedded engine, the tests). Kept
// apart from app.ts so the routes depend on this type and not on the app that mounts them.

import type { ResumeTickets } from '@fanfare/fanout';
import type { Database } from '@fanfare/db';
import type { Clock, EventLog, Logger, ShardRegistry } from '@fanfare/fanout';
import type { EventDirectory } from './event-directory.js';
import type { GatewayChoice } from './gateway-picker.js';
import type { JoinLimiter } from './join-limiter.js';
import type { ApiMetrics } from './metrics.js';
import type { Moderation } from './moderation.js';
import type { PlaybackIssuer } from './playback.js';
import type { PollService } from './poll-service.js';
import type { ShardFigures } from './prewarm-plan.js';
import type { SigningKeys } from './signing-keys.js';
import type { StagePublisher } from './stage-projector.js';
import type { StreamControl } from './stream-control.js';
import type { StaffAuthenticator } from './staff-auth.js';
import type { TokenIssuer } from './token-issuer.js';
import type { WebPages } from './web-pages.js';
import type { WebrtcTier } from './webrtc-tier.js';

export interface AppDeps {
  keys: SigningKeys;
  issuer: TokenIssuer;
  /** Resolves staff tokens and API keys for the control routes. */
  staff: StaffAuthenticator;
  /** The system of record: Postgres, or PGlite in the embedded mode. */
  db: Database;
  /** Cached event lookups for the join path. */
  events: EventDirectory;
  /** Bans and timeouts. */
  moderation: Moderation;
  /** Projects, stores and announces an event's stage after a change. */
  stage: StagePublisher;
  polls: PollService;
  /** The events' ordered logs: moderators' deletions are appended here. */
  log: EventLog;
  /**
   * The request header a trusted CDN sets to the fan's country (ISO 3166-1 alpha-2), e.g.
   * `cf-ipcountry`. Without it, joins to events with a country allow-list are refused.
   */
  countryHeader?: string | undefined;
  /** Join rate limits per client address and per event; absent: joins are not limited. */
  joinLimiter?: JoinLimiter | undefined;
  /**
   * The request header a trusted proxy sets to the client's address (its last entry is used);
   * without it the socket's peer address is (see join-limiter.ts).
   */
  clientAddressHeader?: string | undefined;
  clock?: Clock;
  /**
   * The WebSocket URL a fan of this event should connect to (token goes in `?token=`), with the
   * placement its token and join ticket carry when a GatewayPicker chose it (`plc`), or
   * undefined when no shard can take one more fan (the join answers 503 `unavailable`).
   * `unreachable` (a shardAddress, join-request.ts): the gateway this fan could not reach; it is
   * not placed there (a deployment with one fixed gateway URL may ignore it).
   */
  gatewayUrl: (
    eventId: string,
    unreachable?: string,
  ) => Promise<GatewayChoice | string | undefined> | GatewayChoice | string | undefined;
  /**
   * The video a fan who passed the join's checks may watch (the join reply's `playback`); absent
   * when no media service is configured (`MEDIA_TOKEN_SECRET` unset): the reply has no `playback`.
   */
  playback?: PlaybackIssuer | undefined;
  /** The media process's stream keys and status; absent without one (503 `media_unavailable`). */
  streams?: StreamControl | undefined;
  /**
   * The WebRTC tier (LiveKit): seats in the join's `playback`, rooms, webhooks. Absent when
   * LIVEKIT_* is unset: every viewer gets LL-HLS and `/v1/livekit/webhook` answers 404.
   */
  webrtc?: WebrtcTier | undefined;
  /**
   * The shards' resume tickets (the same keys): a join's reply then carries one, so the fan's
   * first connection is checked with an HMAC instead of the token's signature. Absent: none.
   */
  tickets?: ResumeTickets | undefined;
  /** Readiness for `/readyz`; always ready when absent. */
  ready?: () => boolean;
  /** The shards live now, for pre-warm readiness; absent without Redis (readiness says so). */
  registry?: ShardRegistry | undefined;
  /**
   * Tells every shard to open the event's room and load its token keys ahead of fans (the bus's
   * `subjects.prewarm()`); shards report it in the registry (readiness `shard_rooms`, `jwks`).
   */
  signalPrewarm: (eventId: string) => void;
  /** What one shard holds, for pre-warm plans; DEFAULT_SHARD_FIGURES when absent. */
  capacity?: ShardFigures | undefined;
  /** The Prometheus series served at /metrics; a fresh set when absent. */
  metrics?: ApiMetrics;
  /** Where unexpected errors are reported; defaults to JSON lines on the console. */
  logger?: Logger;
  /** The fan page (`/`) and the console (`/console`); not served when absent. */
  pages?: WebPages | undefined;
}
