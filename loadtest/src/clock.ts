// One clock for send and receive stamps across the bench's processes. Date.now() ticks in whole
// milliseconds, too coarse for sub-millisecond latencies; timeOrigin + now() is sub-millisecond
// and monotonic within a process. Every process derives its origin from the same system clock,
// so stamps from two processes on one machine agree to within microseconds.

import { performance } from 'node:perf_hooks';

/** Milliseconds since the Unix epoch, with a fractional part. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
