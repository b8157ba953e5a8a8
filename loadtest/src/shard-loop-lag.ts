// The shard's own event-loop lag over a phase, read from its Prometheus /metrics (prom-client's
// `nodejs_eventloop_lag_max_seconds` and `_p99_seconds`, which the shard process exports with
// its process metrics). prom-client resets the underlying histogram at every scrape, so one
// scrape before the phase (the reset) and one after give the lag over the phase alone. Absent
// (an embedded engine registers no process metrics): undefined.

import { setTimeout as sleep } from 'node:timers/promises';

/** Bound on one scrape, ms: the shard's loop may be busy right after a storm. */
const SCRAPE_TIMEOUT_MS = 10_000;

export interface LoopLag {
  maxMs: number;
  p99Ms: number;
}

function gauge(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The lag figures in a /metrics text, ms; undefined without them. */
export function loopLagFrom(text: string): LoopLag | undefined {
  const max = gauge(text, 'nodejs_eventloop_lag_max_seconds');
  const p99 = gauge(text, 'nodejs_eventloop_lag_p99_seconds');
  if (max === undefined || p99 === undefined) return undefined;
  return { maxMs: max * 1000, p99Ms: p99 * 1000 };
}

/** The http(s) /metrics URL of the shard a ws(s) gateway URL names. */
export function metricsUrlOf(gatewayUrl: string): string {
  const u = new URL(gatewayUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/metrics';
  u.search = '';
  return u.href;
}

/** Scrapes once; undefined when the shard has no lag metrics or does not answer. */
export async function scrapeLoopLag(metricsUrl: string): Promise<LoopLag | undefined> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    return loopLagFrom(await res.text());
  } catch {
    // No figure rather than a failed run: the storm's other figures still stand.
    return undefined;
  }
}

/** The shard's open fan connections (`fanfare_gateway_connections`); undefined when not read. */
export async function scrapeConnections(metricsUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    return gauge(await res.text(), 'fanfare_gateway_connections');
  } catch {
    // No check rather than a failed run: the storm's figures still stand.
    return undefined;
  }
}

/** Scrapes now (resetting the histogram), and returns the lag since when `stop` is called. */
export async function watchLoopLag(
  metricsUrl: string,
): Promise<() => Promise<LoopLag | undefined>> {
  await scrapeLoopLag(metricsUrl);
  // prom-client's monitor samples every 10 ms: let one sample land after the reset.
  await sleep(20);
  return () => scrapeLoopLag(metricsUrl);
}
