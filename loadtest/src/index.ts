// The public face of @fanfare/loadtest: the pieces other tools reuse (the raw client, the
// receive path, the join client). `pnpm bench` and `pnpm loadtest` run bench.ts and cli.ts.

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
export { RawWebSocket, ABNORMAL_CLOSE } from './raw-ws.js';
export type { RawWsClosed, RawWsHandler, RawWsOptions, RawWsState } from './raw-ws.js';
export { Opcode, encodeClientFrame, parseFrames, FrameParseState } from './ws-frames.js';
export type { FrameSink } from './ws-frames.js';
export { dialectFor, TARGET_KINDS } from './dialect.js';
export type { Dialect, TargetKind } from './dialect.js';
export { JoinClient } from './join-client.js';
export type { CapacityProfile, ShardCapacity } from './capacity.js';
