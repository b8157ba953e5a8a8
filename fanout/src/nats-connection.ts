// One NATS connection per process, shared by NatsBus and JetStreamEventLog: connects to a list of
// servers (a cluster), never gives up reconnecting, and turns the client's status stream into log
// lines and counters. Trade-off: infinite reconnect means a misconfigured server list is never
// fatal after the first connect; it shows up as a growing `disconnects` count and warnings.

import { connect } from '@nats-io/transport-node';
import type { NatsConnection, Status } from '@nats-io/nats-core';
import { consoleLogger, type Logger } from './logger.js';

/** Wait between reconnect attempts to one server, ms. */
export const NATS_RECONNECT_WAIT_MS = 1_000;
/** Upper bound of the random delay added to each reconnect wait, ms (spreads a thundering herd). */
export const NATS_RECONNECT_JITTER_MS = 500;
/** How long the first connect (and each reconnect handshake) may take, ms. */
export const NATS_CONNECT_TIMEOUT_MS = 5_000;
/** How long `close()` lets a drain flush before closing outright, ms. */
export const NATS_DRAIN_TIMEOUT_MS = 5_000;

export interface ConnectNatsOptions {
  /** Server URLs (`nats://host:port`); the client picks among them and fails over. */
  servers: string[];
  /** Client name shown by the server's monitoring (e.g. the shard id). */
  name: string;
  logger?: Logger;
  reconnectWaitMs?: number;
  reconnectJitterMs?: number;
  connectTimeoutMs?: number;
  drainTimeoutMs?: number;
}

/**
 * `connected` ⇄ `disconnected` while the client retries; `closing` once `close()` starts a
 * drain; `closed` is final (after `close()`, or if the client gives up or is closed by another
 * owner of the raw connection).
 */
export type NatsLinkState = 'connected' | 'disconnected' | 'closing' | 'closed';

const TRANSITIONS: Record<NatsLinkState, readonly NatsLinkState[]> = {
  connected: ['disconnected', 'closing', 'closed'],
  disconnected: ['connected', 'closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/**
 * A live connection with its health. `nc` is the nats.js connection for adapters to use; its
 * subscriptions are re-established by the client after every reconnect. Publishes made while
 * disconnected are buffered by the client and sent on reconnect (bounded by its reconnect
 * buffer); requests time out.
 */
export class NatsLink {
  readonly nc: NatsConnection;
  readonly name: string;
  #logger: Logger;
  #drainTimeoutMs: number;
  #state: NatsLinkState = 'connected';
  #reconnects = 0;
  #disconnects = 0;
  #closing: Promise<void> | undefined;
  #watching: Promise<void>;
  #listeners = new Set<(change: 'disconnect' | 'reconnect') => void>();

  constructor(nc: NatsConnection, name: string, logger: Logger, drainTimeoutMs: number) {
    this.nc = nc;
    this.name = name;
    this.#logger = logger;
    this.#drainTimeoutMs = drainTimeoutMs;
    this.#watching = this.#watch().catch((err: unknown) =>
      logger.error('nats status monitor failed', { name, err }),
    );
  }

  get state(): NatsLinkState {
    return this.#state;
  }

  /** Reconnects completed since connect (a metric: counts up, never resets). */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Connection losses since connect (a metric: counts up, never resets). */
  get disconnects(): number {
    return this.#disconnects;
  }

  /** Calls `listener` on every connection loss and every completed reconnect (for metrics). */
  onChange(listener: (change: 'disconnect' | 'reconnect') => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Drains (flushes pending publishes, lets subscriptions finish) and closes; after
   * `drainTimeoutMs` the connection is closed outright. Idempotent: every call returns the
   * same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.nc.isClosed()) {
      this.#to('closed');
      await this.#watching;
      return;
    }
    this.#to('closing');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#drainTimeoutMs);
    });
    try {
      const outcome = await Promise.race([
        this.nc.drain().then(() => 'drained' as const),
        timedOut,
      ]);
      if (outcome === 'timeout') {
        this.#logger.warn('nats drain timed out; closing', { name: this.name });
        await this.nc.close();
      }
    } catch (err) {
      // Drain refuses a connection that is already draining or closed: close is what is left.
      this.#logger.warn('nats drain failed; closing', { name: this.name, err });
      await this.nc.close();
    } finally {
      clearTimeout(timer);
    }
    await this.#watching;
  }

  async #watch(): Promise<void> {
    // The status iterator ends when the connection closes, so this loop needs no stop signal.
    for await (const status of this.nc.status()) this.#onStatus(status);
    const err = await this.nc.closed();
    if (err && this.#state !== 'closing')
      this.#logger.error('nats connection closed', { name: this.name, err });
    this.#to('closed');
  }

  #onStatus(status: Status): void {
    const fields = { name: this.name };
    switch (status.type) {
      case 'disconnect':
        this.#disconnects++;
        if (this.#state === 'connected') this.#to('disconnected');
        this.#logger.warn('nats disconnected', { ...fields, server: status.server });
        this.#notify('disconnect');
        break;
      case 'reconnect':
        this.#reconnects++;
        if (this.#state === 'disconnected') this.#to('connected');
        this.#logger.info('nats reconnected', { ...fields, server: status.server });
        this.#notify('reconnect');
        break;
      case 'ldm':
        this.#logger.warn('nats server entering lame duck mode', {
          ...fields,
          server: status.server,
        });
        break;
      case 'staleConnection':
        this.#logger.warn('nats connection stale; reconnecting', fields);
        break;
      case 'slowConsumer':
        this.#logger.warn('nats slow consumer', {
          ...fields,
          subject: status.sub.getSubject(),
          pending: status.pending,
        });
        break;
      case 'error':
        this.#logger.error('nats server error', { ...fields, err: status.error });
        break;
      default:
      // 'reconnecting', 'update', 'ping', 'forceReconnect', 'close': nothing to report.
    }
  }

  #notify(change: 'disconnect' | 'reconnect'): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#logger.error('nats change listener failed', { name: this.name, err });
      }
    }
  }

  #to(next: NatsLinkState): void {
    if (next === this.#state) return;
    if (!TRANSITIONS[this.#state].includes(next))
      throw new Error(`nats link: illegal transition ${this.#state} -> ${next}`);
    this.#state = next;
  }
}

/** Connects (rejecting if no server answers within the connect timeout) and starts monitoring. */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsLink> {
  if (options.servers.length === 0) throw new TypeError('connectNats: no servers given');
  const logger = options.logger ?? consoleLogger;
  const jitter = options.reconnectJitterMs ?? NATS_RECONNECT_JITTER_MS;
  const nc = await connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectWaitMs ?? NATS_RECONNECT_WAIT_MS,
    reconnectJitter: jitter,
    reconnectJitterTLS: jitter,
    timeout: options.connectTimeoutMs ?? NATS_CONNECT_TIMEOUT_MS,
  });
  logger.info('nats connected', { name: options.name, server: nc.getServer() });
  return new NatsLink(nc, options.name, logger, options.drainTimeoutMs ?? NATS_DRAIN_TIMEOUT_MS);
}
