import { describe, expect, it } from 'vitest';
import { loopLagFrom, metricsUrlOf } from './shard-loop-lag.js';

describe('loopLagFrom', () => {
  it("reads prom-client's lag gauges as ms, labels or not", () => {
    const text = [
      '# HELP nodejs_eventloop_lag_max_seconds The maximum recorded event loop delay.',
      'nodejs_eventloop_lag_max_seconds{shard="g1"} 0.25',
      'nodejs_eventloop_lag_p99_seconds 0.0125',
    ].join('\n');
    expect(loopLagFrom(text)).toEqual({ maxMs: 250, p99Ms: 12.5 });
  });

  it('has no figure without them', () => {
    expect(loopLagFrom('fanfare_gateway_connections 3')).toBeUndefined();
  });
});

it('finds the /metrics of the shard a gateway URL names', () => {
  expect(metricsUrlOf('ws://127.0.0.1:9001/ws?x=1')).toBe('http://127.0.0.1:9001/metrics');
});
