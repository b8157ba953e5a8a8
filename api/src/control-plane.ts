// The API's parts wired once, for every way the API runs: its own process (main.ts), the
// embedded engine, and the tests. The caller brings the adapters (database, bus, log, stores);
// this builds the services that sit on them and the app's dependencies, and starts and stops
// the background work (stage resync, poll auto-close, chat archiver) in one place.

import { mkdirSync } from 'node:fs';
import { encodePrewarmSignal, type ResumeTickets } from '@fanfare/fanout';
import { openDatabase, type Database } from '@fanfare/db';
import type {
  Bus,
  Clock,
  EventLog,
  Logger,
  SanctionStore,
  ShardRegistry,
  StageStore,
  Subjects,
  VoteStore,
} from '@fanfare/fanout';
import type { AppDeps } from './app-deps.js';
import { ChatArchiver } from './chat-archiver.js';
import type { ApiConfig } from './config.js';
import { CachedEventDirectory } from './event-directory.js';
import { ApiMetrics } from './metrics.js';
import { Moderation } from './moderation.js';
import type { PlaybackIssuer } from './playback.js';
import type { StreamControl } from './stream-control.js';
import { StreamKeyRestorer } from './stream-key-restore.js';
import { PollService } from './poll-service.js';
import { QoeRollup } from './qoe-rollup.js';
import type { ShardFigures } from './prewarm-plan.js';
import type { SigningKeys } from './signing-keys.js';
import { StageProjector } from './stage-projector.js';
import { StaffCredentials } from './staff-auth.js';
import type { TokenIssuer } from './token-issuer.js';
import {
  JOIN_LIMIT_PER_ADDRESS,
  JOIN_LIMIT_PER_EVENT,
  JOIN_BUDGET,
  JoinLimiter,
  type JoinLimits,
} from './join-limiter.js';
import type { WebrtcTier } from './webrtc-tier.js';

export interface ControlPlaneParts {
  keys: SigningKeys;
  issuer: TokenIssuer;
  db: Database;
  bus: Bus;
  log: EventLog;
  sanctions: SanctionStore;
  votes: VoteStore;
  stages: StageStore;
  subjects: Subjects;
  clock: Clock;
  logger: Logger;
  gatewayUrl: AppDeps['gatewayUrl'];
  ready?: AppDeps['ready'];
  countryHeader?: string | undefined;
  /** Join rate limits; absent: the defaults (JOIN_LIMIT_PER_ADDRESS, JOIN_LIMIT_PER_EVENT). */
  joinLimits?: JoinLimits | undefined;
  /** The trusted proxy's client-address header (CLIENT_ADDRESS_HEADER). */
  clientAddressHeader?: string | undefined;
  /** The join reply's `playback`; absent without a media service. */
  playback?: PlaybackIssuer | undefined;
  /** The media process's stream keys and status; absent without one. */
  streams?: StreamControl | undefined;
  /** The /metrics series; a fresh set (no process metrics) when absent. */
  metrics?: ApiMetrics;
  /** The shards live now, for pre-warm readiness; absent without Redis. */
  registry?: ShardRegistry | undefined;
  /** What one shard holds, for pre-warm plans; the default figures when absent. */
  capacity?: ShardFigures | undefined;
  /** The WebRTC tier; absent without LiveKit. */
  webrtc?: WebrtcTier | undefined;
  /** The shards' resume tickets: each join's reply carries one; absent: none. */
  tickets?: ResumeTickets | undefined;
  /** How often QoE windows are written, ms; QOE_FLUSH_MS when absent (tests shorten it). */
  qoeFlushMs?: number | undefined;
}

export interface ControlPlane {
  deps: AppDeps;
  stage: StageProjector;
  polls: PollService;
  archiver: ChatArchiver;
  /** The shards' QoE windows into /metrics and Postgres. */
  qoe: QoeRollup;
  /**
   * Starts the background work: stage resync, poll auto-close (re-armed from the database),
   * archiver, the QoE roll-up, and the stream-key restorer when there is a media process.
   */
  start(): Promise<void>;
  /** Stops it (the archiver after a final pass). The database and adapters stay the caller's. */
  close(): Promise<void>;
}

export function assembleControlPlane(parts: ControlPlaneParts): ControlPlane {
  const { db, bus, log, subjects, clock, logger } = parts;
  const stage = new StageProjector({ db, store: parts.stages, bus, subjects, clock, logger });
  const polls = new PollService({ db, votes: parts.votes, stage, clock, logger });
  const archiver = new ChatArchiver({ db, log, clock, logger });
  const metrics = parts.metrics ?? new ApiMetrics();
  const qoe = new QoeRollup({
    bus,
    subject: subjects.qoe(),
    repo: db.qoe,
    metrics: metrics.qoe,
    clock,
    logger,
    flushMs: parts.qoeFlushMs,
  });
  const restorer = parts.streams
    ? new StreamKeyRestorer({
        keys: db.streamKeys,
        streams: parts.streams,
        clock,
        log: (line) => logger.info(line),
      })
    : undefined;
  const deps: AppDeps = {
    keys: parts.keys,
    issuer: parts.issuer,
    staff: new StaffCredentials(parts.issuer, db.credentials),
    db,
    events: new CachedEventDirectory(db.events, () => clock.now()),
    moderation: new Moderation({ store: parts.sanctions, bus, subjects, now: () => clock.now() }),
    stage,
    polls,
    log,
    countryHeader: parts.countryHeader,
    joinLimiter: new JoinLimiter(
      parts.joinLimits ?? {
        perAddress: JOIN_LIMIT_PER_ADDRESS,
        perEvent: JOIN_LIMIT_PER_EVENT,
        budget: JOIN_BUDGET,
      },
      clock,
    ),
    clientAddressHeader: parts.clientAddressHeader,
    playback: parts.playback,
    streams: parts.streams,
    webrtc: parts.webrtc,
    tickets: parts.tickets,
    clock,
    gatewayUrl: parts.gatewayUrl,
    metrics,
    registry: parts.registry,
    signalPrewarm: (eventId) => bus.publish(subjects.prewarm(), encodePrewarmSignal({ eventId })),
    capacity: parts.capacity,
    logger,
    ...(parts.ready ? { ready: parts.ready } : {}),
  };
  return {
    deps,
    stage,
    polls,
    archiver,
    qoe,
    async start() {
      stage.start();
      qoe.start();
      await polls.start();
      archiver.start();
      restorer?.start();
    },
    async close() {
      polls.close();
      stage.close();
      await restorer?.close();
      await archiver.close();
      await qoe.close();
    },
  };
}

/** Postgres when DATABASE_URL is set, else PGlite in PGLITE_DATA_DIR (created if missing). */
export function openConfiguredDatabase(
  config: Pick<ApiConfig, 'databaseUrl' | 'pgliteDataDir'>,
): Promise<Database> {
  if (config.databaseUrl !== undefined) return openDatabase({ url: config.databaseUrl });
  if (config.pgliteDataDir !== 'memory') mkdirSync(config.pgliteDataDir, { recursive: true });
  return openDatabase({ pglite: config.pgliteDataDir });
}
