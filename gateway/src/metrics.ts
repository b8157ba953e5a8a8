// The shard's Prometheus metrics, served at GET /metrics. One registry per Gateway (not
// prom-client's global one), so several gateways in one process (tests, the embedded mode) each
// report their own. Counters are bumped where things happen; gauges are read at scrape time.

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { NatsLink } from '@fanfare/fanout';
import { FanoutLatency } from './fanout-latency.js';
import { QoeMetrics } from './qoe-metrics.js';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly upgradesRefused: Counter<'reason'>;
  readonly disconnects: Counter<'code'>;
  readonly chatAccepted: Counter;
  readonly chatRefused: Counter<'code'>;
  readonly welcomes: Counter<'continuity'>;
  readonly votes: Counter<'outcome'>;
  readonly talliesSent: Counter;
  /** Resume tickets renewed over open sockets (ticket-renewals.ts). */
  readonly ticketRenewals: Counter;
  readonly partyCommands: Counter<'outcome'>;
  readonly natsDisconnects: Counter;
  readonly natsReconnects: Counter;
  readonly natsResubscriptions: Counter;
  /** Rooms opened (a fan's join or a pre-warm): a warm room's first fan opens none. */
  readonly roomOpens: Counter;
  /** Players' QoE beacons (qoe-metrics.ts). */
  readonly qoe: QoeMetrics;
  /** Fan-out delivery latency of the event log's records (fanout-latency.ts). */
  readonly fanout: FanoutLatency;

  constructor(
    labels: { shard: string },
    read: {
      connections(): number;
      rooms(): number;
      parties?(): number;
      admissionRate?(): number;
    },
  ) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    this.qoe = new QoeMetrics(this.registry);
    this.fanout = new FanoutLatency(this.registry);
    new Gauge({
      name: 'fanfare_gateway_connections',
      help: 'Open fan WebSockets on this shard.',
      registers,
      collect() {
        this.set(read.connections());
      },
    });
    new Gauge({
      name: 'fanfare_gateway_rooms',
      help: 'Events this shard serves (one room, one set of subscriptions each).',
      registers,
      collect() {
        this.set(read.rooms());
      },
    });
    new Gauge({
      name: 'fanfare_gateway_parties',
      help: 'Watch parties with at least one member connected to this shard.',
      registers,
      collect() {
        this.set(read.parties?.() ?? 0);
      },
    });
    new Gauge({
      name: 'fanfare_gateway_admission_rate',
      help: 'Upgrades per second the admission budget admits (0: admission control off); past it, 503 overloaded.',
      registers,
      collect() {
        this.set(read.admissionRate?.() ?? 0);
      },
    });
    this.roomOpens = new Counter({
      name: 'fanfare_gateway_room_opens_total',
      help: 'Event rooms opened (log follower, stage, subscriptions), by a first fan or a pre-warm.',
      registers,
    });
    this.upgradesRefused = new Counter({
      name: 'fanfare_gateway_upgrades_refused_total',
      help: 'WebSocket upgrades refused, by reason (docs/protocol.md); `overloaded` is admission control.',
      labelNames: ['reason'],
      registers,
    });
    this.disconnects = new Counter({
      name: 'fanfare_gateway_disconnects_total',
      help: 'Fan sessions ended, by WebSocket close code.',
      labelNames: ['code'],
      registers,
    });
    this.chatAccepted = new Counter({
      name: 'fanfare_gateway_chat_accepted_total',
      help: 'Chat messages appended to the event log from this shard.',
      registers,
    });
    this.chatRefused = new Counter({
      name: 'fanfare_gateway_chat_refused_total',
      help: 'Chat messages refused, by error code.',
      labelNames: ['code'],
      registers,
    });
    this.welcomes = new Counter({
      name: 'fanfare_gateway_welcomes_total',
      help: 'Sessions started, by continuity (fresh, resumed, lost).',
      labelNames: ['continuity'],
      registers,
    });
    this.votes = new Counter({
      name: 'fanfare_gateway_votes_total',
      help: 'Poll votes handled, by outcome (accepted, duplicate, or the error code).',
      labelNames: ['outcome'],
      registers,
    });
    this.talliesSent = new Counter({
      name: 'fanfare_gateway_tallies_sent_total',
      help: 'Poll tally frames broadcast (one per poll per interval at most, when it changed).',
      registers,
    });
    this.ticketRenewals = new Counter({
      name: 'fanfare_gateway_ticket_renewals_total',
      help: 'Resume tickets renewed over open sockets (`ticket` frames sent).',
      registers,
    });
    this.partyCommands = new Counter({
      name: 'fanfare_gateway_party_commands_total',
      help: 'Party host commands handled, by outcome (applied, unchanged, or the error code).',
      labelNames: ['outcome'],
      registers,
    });
    this.natsDisconnects = new Counter({
      name: 'fanfare_nats_disconnects_total',
      help: 'Losses of the NATS connection.',
      registers,
    });
    this.natsReconnects = new Counter({
      name: 'fanfare_nats_reconnects_total',
      help: 'Completed NATS reconnects (the client resubscribes by itself).',
      registers,
    });
    this.natsResubscriptions = new Counter({
      name: 'fanfare_nats_resubscriptions_total',
      help: 'Subjects resubscribed after NATS reconnects.',
      registers,
    });
  }

  /** Adds Node's process metrics (CPU, memory, event loop lag). Once per process is enough. */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }

  /** Counts the link's disconnects and reconnects, and the subjects each reconnect restores. */
  watchNats(link: NatsLink, activeSubjects: () => number): () => void {
    new Gauge({
      name: 'fanfare_nats_connected',
      help: '1 while the NATS connection is up.',
      registers: [this.registry],
      collect() {
        this.set(link.state === 'connected' ? 1 : 0);
      },
    });
    return link.onChange((change) => {
      if (change === 'disconnect') this.natsDisconnects.inc();
      else {
        this.natsReconnects.inc();
        this.natsResubscriptions.inc(activeSubjects());
      }
    });
  }
}
