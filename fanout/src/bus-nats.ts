// The distributed mode's Bus on core NATS: at-most-once, nothing stored, one NATS subscription
// per subject per process however many local handlers share it. Trade-off: a message published
// while this process is disconnected is lost for it; that is the Bus contract (reaction partials
// and presence counts are superseded by the next window anyway).
//
// Reconnects: nats.js re-sends every open subscription to the server it reconnects to, so a
// subscription survives a server restart or failover with no code here (bus-nats.test.ts
// restarts a server to prove it). Publishes made while disconnected are buffered by the client.

import type { Subscription as NatsSubscription } from '@nats-io/nats-core';
import type { Bus, BusHandler, Subscription } from './bus.js';
import { HandlerRegistry } from './handler-registry.js';
import { consoleLogger, type Logger } from './logger.js';
import type { NatsLink } from './nats-connection.js';

export interface NatsBusOptions {
  connection: NatsLink;
  /**
   * Whether `close()` also closes `connection`. Say so explicitly: a link shared with the
   * event log belongs to whoever created it (the service's main), not to the bus.
   */
  ownsConnection: boolean;
  /** Where throwing handlers and transport errors are reported. Defaults to the console. */
  logger?: Logger;
}

const noop: Subscription = { unsubscribe: () => undefined };

export class NatsBus implements Bus {
  #link: NatsLink;
  #ownsConnection: boolean;
  #logger: Logger;
  #handlers = new HandlerRegistry<BusHandler>();
  #subs = new Map<string, NatsSubscription>();
  #publishFailures = 0;
  #closed = false;

  constructor(options: NatsBusOptions) {
    this.#link = options.connection;
    this.#ownsConnection = options.ownsConnection;
    this.#logger = options.logger ?? consoleLogger;
  }

  /** Publishes refused because the connection was closed or draining (a metric). */
  get publishFailures(): number {
    return this.#publishFailures;
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.#closed) {
      this.#publishFailures++;
      return;
    }
    try {
      this.#link.nc.publish(subject, data);
    } catch (err) {
      // nats.js throws only when it cannot queue at all (closed, draining, invalid subject);
      // while reconnecting it buffers. At-most-once: count it and move on.
      this.#publishFailures++;
      this.#logger.warn('bus publish failed', { subject, err });
    }
  }

  subscribe(subject: string, handler: BusHandler): Subscription {
    if (this.#closed) return noop;
    const registration = this.#handlers.add(subject, handler);
    if (registration.first) {
      try {
        this.#subs.set(subject, this.#open(subject));
      } catch (err) {
        registration.remove();
        this.#logger.error('bus subscribe failed', { subject, err });
        return noop;
      }
    }
    return {
      unsubscribe: () => {
        if (registration.remove()) this.#close(subject);
      },
    };
  }

  activeSubjects(): number {
    return this.#subs.size;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const subject of [...this.#subs.keys()]) this.#close(subject);
    this.#handlers.clear();
    if (this.#ownsConnection) await this.#link.close();
  }

  #open(subject: string): NatsSubscription {
    return this.#link.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          // A permissions violation: the server dropped this subscription.
          this.#logger.error('bus subscription failed', { subject, err });
          return;
        }
        this.#handlers.forEach(
          subject,
          (h) => h(msg.data, msg.subject),
          (handlerErr) => this.#logger.error('bus handler failed', { subject, err: handlerErr }),
        );
      },
    });
  }

  #close(subject: string): void {
    const sub = this.#subs.get(subject);
    this.#subs.delete(subject);
    try {
      sub?.unsubscribe();
    } catch (err) {
      // A closed connection has no subscriptions left to remove.
      this.#logger.warn('bus unsubscribe failed', { subject, err });
    }
  }
}
