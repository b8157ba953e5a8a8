// A gateway shard: one uWS app serving fans over WebSocket plus /healthz and /readyz. It wires
// the upgrade, frame and close handlers to the room registry, runs the slow-consumer sweep, and
// shuts down gracefully: fail readiness, stop listening, close fans with 4000 in batches, drain,
// release the rooms.

import { Close } from '@fanfare/protocol';
import {
  createSubjects,
  systemClock,
  type Bus,
  type Clock,
  type EventLog,
  type PartyStore,
  type SanctionStore,
  type ShardRegistry,
  type ShardState,
  type StageStore,
  type VoteStore,
} from '@fanfare/fanout';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { HARD_MAX_PAYLOAD_BYTES, WS_PATH, type GatewayConfig } from './config.js';
import type { SweepResult } from './backpressure.js';
import { createMessageHandler } from './message-handler.js';
import { IdSource } from './ids.js';
import { GatewayMetrics } from './metrics.js';
import { QoeAggregator, jsonLogger, type Logger } from '@fanfare/fanout';
import { PartyActions } from './party-actions.js';
import { PartyHub } from './party-hub.js';
import { RoomRegistry } from './room-registry.js';
import { RoomWarmer } from './room-warmer.js';
import { endSession, sessionOf, type Socket, type SocketData } from './session.js';
import type { TokenVerifier } from './token-verifier.js';
import { createUpgradeHandler } from './upgrade.js';
import { ConnectTraces } from './connect-trace.js';
import type { Tracer } from '@opentelemetry/api';
import { Admission } from './admission.js';
import { AdmittedLedger } from './admitted-ledger.js';
import { ticketRenewalsFor, type TicketRenewals } from './ticket-renewals.js';
import { UserSockets } from './user-sockets.js';
import { loadNativeUws, type Uws } from './uws.js';
import { closeListenSockets, listenSockets } from './listen-sockets.js';

/**
 * The seams a shard runs on, all required (`openAdapters` builds them for the configured mode):
 * nothing falls back to a memory store, since a shard among others with a private store would
 * enforce its own bans, votes and parties.
 */
export interface GatewayDeps {
  bus: Bus;
  log: EventLog;
  /** Bans and timeouts. */
  sanctions: SanctionStore;
  /** Event stages (state, pin, rules, polls). */
  stages: StageStore;
  /** Poll votes. */
  votes: VoteStore;
  /** Watch parties. */
  parties: PartyStore;
  /** Live shards, read by the party upkeep to treat members on a dead shard as offline. */
  registry: ShardRegistry;
  verifier: TokenVerifier;
  clock?: Clock;
  logger?: Logger;
  /** The process's tracer when it traces (connect-trace.ts); undefined: no spans, no cost. */
  tracer?: Tracer | undefined;
}

const REQUIRED_SEAMS = [
  'bus',
  'log',
  'sanctions',
  'stages',
  'votes',
  'parties',
  'registry',
  'verifier',
] as const satisfies ReadonlyArray<keyof GatewayDeps>;

type GatewayState = 'new' | 'ready' | 'draining' | 'closed';

export interface GatewayStats {
  state: GatewayState;
  connections: number;
  rooms: number;
}

export class Gateway {
  readonly config: GatewayConfig;
  readonly metrics: GatewayMetrics;
  /** The connection-rate budget every upgrade takes from first (admission.ts). */
  readonly admission: Admission;
  #admitted = new AdmittedLedger();
  #uws: typeof Uws;
  #app: Uws.TemplatedApp;
  #clock: Clock;
  #logger: Logger;
  #traces: ConnectTraces | undefined;
  #rooms: RoomRegistry;
  /** Rooms opened ahead of fans on the API's pre-warm signal (room-warmer.ts). */
  #warmer: RoomWarmer;
  #partyHub: PartyHub;
  #parties: PartyActions;
  #state: GatewayState = 'new';
  #listenSockets: Uws.us_listen_socket[] = [];
  #port = 0;
  #connections = 0;
  #userSockets: UserSockets<Socket>;
  #sweepTimer: ReturnType<Clock['setInterval']> | undefined;
  #renewals: TicketRenewals | undefined;
  /** This shard's QoE windows, published for the API's roll-up. */
  #qoeWindows: QoeAggregator;
  #closing: Promise<void> | undefined;
  #allClosed: (() => void) | undefined;

  constructor(config: GatewayConfig, deps: GatewayDeps) {
    // The types require every seam; this catches untyped callers before a fan can meet the gap.
    const missing = REQUIRED_SEAMS.filter((seam) => deps[seam] === undefined);
    if (missing.length > 0)
      throw new TypeError(
        `gateway ${config.shardId} cannot start without its ${missing.join(', ')} (build the seams with openAdapters)`,
      );
    this.config = config;
    this.#uws = loadNativeUws();
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger ?? jsonLogger({ shard: config.shardId });
    this.#traces = deps.tracer ? new ConnectTraces(deps.tracer) : undefined;
    this.#app = this.#uws.App();
    this.admission = new Admission(config.admission.spec, this.#clock.now());
    this.metrics = new GatewayMetrics(
      { shard: config.shardId },
      {
        connections: () => this.#connections,
        rooms: () => this.#rooms.size,
        parties: () => this.#partyHub.size,
        admissionRate: () => this.admission.spec?.ratePerSecond ?? 0,
      },
    );
    const ids = new IdSource();
    const subjects = createSubjects(config.prefix);
    this.#qoeWindows = new QoeAggregator({
      bus: deps.bus,
      subject: subjects.qoe(),
      shardId: config.shardId,
      clock: this.#clock,
      windowMs: config.qoeWindowMs,
    });
    const partyStore = deps.parties;
    this.#partyHub = new PartyHub({
      store: partyStore,
      bus: deps.bus,
      subjects,
      clock: this.#clock,
      shardId: config.shardId,
      registry: deps.registry,
      logger: this.#logger,
      metrics: this.metrics,
    });
    this.#parties = new PartyActions({
      hub: this.#partyHub,
      store: partyStore,
      clock: this.#clock,
      ids,
      config,
      metrics: this.metrics,
    });
    this.#userSockets = new UserSockets(config.maxSocketsPerUser);
    this.#rooms = new RoomRegistry({
      app: this.#app,
      log: deps.log,
      bus: deps.bus,
      sanctions: deps.sanctions,
      stages: deps.stages,
      votes: deps.votes,
      subjects,
      clock: this.#clock,
      config,
      ids,
      logger: this.#logger,
      metrics: this.metrics,
    });
    const [clock, logger, subject] = [this.#clock, this.#logger, subjects.prewarm()];
    const { bus, verifier } = deps;
    this.#warmer = new RoomWarmer({ rooms: this.#rooms, bus, subject, clock, logger, verifier });
    const now = () => this.#clock.now();
    this.#renewals = ticketRenewalsFor(config, clock, this.metrics, deps.registry, logger);
    this.#app.ws<SocketData>(WS_PATH, {
      maxPayloadLength: HARD_MAX_PAYLOAD_BYTES,
      idleTimeout: config.idleTimeoutS,
      sendPingsAutomatically: true,
      maxBackpressure: config.backpressure.hardBytes,
      closeOnBackpressureLimit: 1,
      compression: this.#uws.DISABLED,
      upgrade: createUpgradeHandler({
        config,
        verifier: deps.verifier,
        renewals: this.#renewals,
        rooms: this.#rooms,
        ids,
        now,
        isReady: () => this.#state === 'ready',
        logger: this.#logger,
        metrics: this.metrics,
        admission: this.admission,
        traces: this.#traces,
        admitted: this.#admitted,
      }),
      open: (ws) => {
        this.#connections++;
        const session = sessionOf(ws);
        // The welcome goes out after `open` returns, not from it. `open` runs inside the
        // upgrade's `res.cork`; uWS 20.30's cork then re-reads the HTTP response's state from
        // memory the upgrade has handed to the WebSocket, and a send from `open` can leave bytes
        // there that read as "Connection: close": the fresh socket is closed (the fan sees 1006
        // right after its welcome). uNetworking/uWebSockets#1928, fixed after this release.
        // Subscribing and the welcome stay together in one synchronous step, so no broadcast
        // can reach the fan before its welcome.
        queueMicrotask(() => {
          if (session.closed) return this.#traces?.drop(session.sessionId);
          for (const old of this.#userSockets.add(session.user.id, ws)) {
            endSession(old, sessionOf(old), Close.sessionLimit, 'too many sockets for this user');
          }
          this.#renewals?.add(ws, session); // before the welcome, which takes the ticket
          if (this.#traces)
            this.#traces.welcome(session.sessionId, () => session.room.attach(ws, session));
          else session.room.attach(ws, session);
          this.#parties.attach(ws, session);
        });
      },
      message: createMessageHandler({
        config,
        now,
        logger: this.#logger,
        parties: this.#parties,
        qoe: this.metrics.qoe,
        qoeWindows: this.#qoeWindows,
      }),
      drain: (ws) => {
        const session = sessionOf(ws);
        session.room.drained(ws, session);
      },
      close: (ws, code) => {
        this.metrics.disconnects.inc({ code: String(code) });
        const session = sessionOf(ws);
        session.closed = true;
        this.#userSockets.remove(session.user.id, ws);
        this.#renewals?.remove(ws);
        session.room.detach(ws);
        this.#parties.detach(ws, session);
        this.#rooms.release(session.room);
        this.#connections--;
        if (this.#connections === 0) this.#allClosed?.();
      },
    });
    this.#app.get('/healthz', (res) => {
      res.writeHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'ok', shard: config.shardId }));
    });
    this.#app.get('/readyz', (res) => {
      const ready = this.#state === 'ready';
      res.writeStatus(ready ? '200 OK' : '503 Service Unavailable');
      res.writeHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: this.#state, shard: config.shardId }));
    });
    this.#app.get('/metrics', (res) => {
      let aborted = false;
      res.onAborted(() => (aborted = true));
      void this.metrics.registry.metrics().then((text) => {
        if (aborted) return;
        res.cork(() => {
          res.writeHeader('content-type', this.metrics.registry.contentType);
          res.end(text);
        });
      });
    });
    this.#app.any('/*', (res) => {
      res.writeStatus('404 Not Found').end();
    });
  }

  /** The port listened on (resolved when the config asked for port 0). */
  get port(): number {
    return this.#port;
  }

  /** Runs the watch parties' upkeep now (it runs every second; public for tests). */
  tickParties(): Promise<void> {
    return this.#partyHub.tick();
  }

  stats(): GatewayStats {
    return { state: this.#state, connections: this.#connections, rooms: this.#rooms.size };
  }

  /** Fans per event on this shard, for the shard registry. */
  fansByEvent(): Record<string, number> {
    const events: Record<string, number> = {};
    for (const room of this.#rooms.rooms()) events[room.eventId] = room.size;
    return events;
  }

  /** This shard's registry entry as of now, fans reaching it at `url` (the heartbeat sends it). */
  shardState(url: string): ShardState {
    const stats = this.stats();
    return {
      id: this.config.shardId,
      url,
      capacity: this.config.capacity,
      fans: stats.connections,
      events: this.fansByEvent(),
      draining: stats.state !== 'ready',
      at: this.#clock.now(),
      refusedOverloaded: this.admission.refused,
      fanout: this.metrics.fanout.recent(this.#clock.now()),
      admitted: this.#admitted.report(this.#clock.now()),
      ...this.#warmer.report(),
    };
  }

  /** Listens and becomes ready. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`gateway cannot start from ${this.#state}`);
    const { host, port } = this.config;
    const listening = await listenSockets(this.#uws, this.#app, host, port);
    this.#listenSockets = listening.sockets;
    this.#port = listening.port;
    this.#partyHub.start();
    this.#qoeWindows.start();
    this.#warmer.start();
    this.#renewals?.start();
    this.#sweepTimer = this.#clock.setInterval(
      () => void this.sweep(),
      this.config.backpressure.sweepIntervalMs,
    );
    this.#state = 'ready';
    this.#logger.info('gateway listening', { host, port: this.#port });
  }

  /** Applies the slow-consumer policy now (runs on a timer; public for tests). */
  sweep(): SweepResult {
    const total: SweepResult = { lagging: 0, closedSlow: 0 };
    for (const room of this.#rooms.rooms()) {
      const found = room.sweep((ws) =>
        endSession(ws, sessionOf(ws), Close.slowConsumer, 'slow consumer'),
      );
      total.lagging += found.lagging;
      total.closedSlow += found.closedSlow;
    }
    if (total.closedSlow > 0) this.#logger.warn('closed slow consumers', { ...total });
    return total;
  }

  /** Graceful shutdown. Idempotent; resolves when every socket is gone and rooms are closed. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const wasListening = this.#state === 'ready';
    this.#state = 'draining';
    if (wasListening && this.config.readinessGraceMs > 0) await sleep(this.config.readinessGraceMs);
    closeListenSockets(this.#uws, this.#listenSockets);
    if (this.#sweepTimer) this.#clock.clearInterval(this.#sweepTimer);
    this.#renewals?.close();

    const drained = new Promise<void>((resolve) => {
      this.#allClosed = resolve;
      if (this.#connections === 0) resolve();
    });
    const sockets: Socket[] = this.#rooms.rooms().flatMap((room) => [...room.sockets()]);
    this.#logger.info('gateway draining', { connections: sockets.length });
    for (let i = 0; i < sockets.length; i += this.config.closeBatchSize) {
      for (const ws of sockets.slice(i, i + this.config.closeBatchSize)) {
        endSession(ws, sessionOf(ws), Close.serverRestart, 'server restart');
      }
      await nextTurn(); // let the loop flush close frames between batches
    }
    const timedOut = await Promise.race([
      drained.then(() => false),
      sleep(this.config.drainTimeoutMs, true, { ref: false }),
    ]);
    if (timedOut) {
      this.#logger.warn('drain timed out; closing remaining sockets', {
        connections: this.#connections,
      });
      for (const room of this.#rooms.rooms()) for (const ws of room.sockets()) ws.close();
    }
    // Members here were marked offline as their sockets closed; let those writes land.
    await this.#partyHub.close();
    this.#warmer.close();
    this.#rooms.closeAll();
    this.#qoeWindows.close(); // after the sockets: their last beacons go in the last window
    // close() exists in uWS v20.30 but is missing from its typings: it ends every socket and timer.
    (this.#app as Uws.TemplatedApp & { close(): void }).close();
    this.#state = 'closed';
    this.#logger.info('gateway closed');
  }
}
