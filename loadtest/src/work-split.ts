// How the fans and senders of one run are spread over the generator processes: fans in
// contiguous slices as even as possible, senders round-robin so every worker sends about the same
// share. Pure, so the split is tested without forking anything.

import type { BenchOptions } from './options.js';
import type { WorkerPlan } from './worker-messages.js';

export interface SplitSettings {
  apiUrl: string;
  /** Joins plus upgrades in flight over all workers together. */
  totalConnectConcurrency: number;
  fanConnectTimeoutMs: number;
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
    });
    firstFan += count;
  }
  return plans;
}
