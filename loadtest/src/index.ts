// The public face of @fanfare/loadtest: the pieces the real load tester and other tools reuse.
// `pnpm bench` runs bench.ts directly.

export { Histogram, HISTOGRAM_CAP_MS, TICK_MS } from './histogram.js';
export type { HistogramSnapshot } from './histogram.js';
export { ServerFrameReader, ChatScan } from './frame-reader.js';
export { SeqTracker } from './seq-tracker.js';
export type { SeqVerdict } from './seq-tracker.js';
export { encodeBenchText, parseBenchText, BENCH_TEXT_PREFIX } from './bench-text.js';
export type { BenchText } from './bench-text.js';
export { joinEvent, fanSocketUrl, JoinError } from './join-client.js';
export type { JoinGrant, JoinErrorCode } from './join-client.js';
export { nowMs } from './clock.js';
