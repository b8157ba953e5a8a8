// How the fans and senders of one run are spread over the generator processes: fans in
// contiguous slices as even as possible, senders round-robin so every worker sends about the same
// share, and one source address per worker so each has its own ephemeral ports. Pure, so the
// split is tested without forking anything.

import type { TargetKind } from './dialect.js';
import type { BenchOptions } from './options.js';
import type { WorkerPlan } from './worker-messages.js';

export interface SplitSettings {
  apiUrl: string;
  /** Joins plus upgrades in flight over all workers together. */
  totalConnectConcurrency: number;
  fanConnectTimeoutMs: number;
  /** Fanfare unless said otherwise. */
  target?: TargetKind;
  /** The peers' WebSocket URLs (see WorkerPlan.serverUrls). */
  serverUrls?: string[];
  /** Source addresses; worker w uses localAddresses[w % length]. None: the system's choice. */
  localAddresses?: string[];
  /** Fanfare: first connections with the join's token, not its ticket. */
  joinToken?: boolean;
}

/** Source addresses 127.0.0.2, 127.0.0.3, ...: loopback answers all of 127.0.0.0/8 on Linux. */
export function loopbackSources(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${(i + 2) >> 8}.${(i + 2) & 0xff}`);
}

export function splitWork(options: BenchOptions, settings: SplitSettings): WorkerPlan[] {
  const { fans, workers, senders, ratePerS, eventId } = options;
  const plans: WorkerPlan[] = [];
  let firstFan = 0;
  for (let w = 0; w < workers; w++) {
    const count = Math.floor(fans / workers) + (w < fans % workers ? 1 : 0);
    const mine: number[] = [];
    for (let s = w; s < senders; s += workers) mine.push(s);
    plans.push({
      workerIndex: w,
      apiUrl: settings.apiUrl,
      eventId,
      firstFan,
      fans: count,
      senders: mine,
      ratePerSender: ratePerS / senders,
      totalSenders: senders,
      connectConcurrency: Math.max(1, Math.ceil(settings.totalConnectConcurrency / workers)),
      fanConnectTimeoutMs: settings.fanConnectTimeoutMs,
      target: settings.target ?? 'fanfare',
      joinToken: settings.joinToken === true,
      serverUrls: settings.serverUrls ?? [],
      localAddress:
        settings.localAddresses === undefined || settings.localAddresses.length === 0
          ? undefined
          : settings.localAddresses[w % settings.localAddresses.length],
    });
    firstFan += count;
  }
  return plans;
}
