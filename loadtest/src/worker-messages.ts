// The messages between the bench and its fan workers over the fork IPC channel (JSON). The
// parent drives the phases one command at a time; each command gets exactly one reply with its
// id, or a failure. Both ends are this package, so replies are trusted without validation.

import type { HistogramSnapshot } from './histogram.js';

/** What one worker runs: a contiguous slice of the fans, some of which also send. */
export interface WorkerPlan {
  workerIndex: number;
  apiUrl: string;
  eventId: string;
  /** Global index of this worker's first fan (fan names derive from it). */
  firstFan: number;
  fans: number;
  /** Global sender indices this worker runs; the i-th of them sends from its i-th fan. */
  senders: number[];
  /** Messages per second per sender. */
  ratePerSender: number;
  /** Total senders over all workers, to stagger the senders' first sends evenly. */
  totalSenders: number;
  /** Joins plus upgrades in flight at once in this worker. */
  connectConcurrency: number;
  /** Bound on one fan's join, upgrade and welcome, ms. */
  fanConnectTimeoutMs: number;
}

export type BenchCommand =
  | { kind: 'connect'; id: number; plan: WorkerPlan }
  /** `startAtMs` is on the shared clock (clock.ts), so every worker starts together. */
  | { kind: 'send'; id: number; startAtMs: number; durationMs: number }
  | { kind: 'progress'; id: number }
  | { kind: 'finish'; id: number };

export type BenchCommandKind = BenchCommand['kind'];

export interface ConnectResult {
  connected: number;
  failed: number;
  /** The first failure's description, if any, for the report. */
  firstFailure: string | undefined;
  /** From the connect command to the last welcome, ms. */
  elapsedMs: number;
}

export interface CpuFigures {
  userMs: number;
  systemMs: number;
  wallMs: number;
}

export interface SendResult {
  sent: number;
  /** Worst delay of a send behind its schedule, ms (the generator's own lag). */
  maxSendLagMs: number;
  /** This process's CPU over the send phase. */
  cpu: CpuFigures;
  /** Event-loop delay over the send phase, ms: a busy loop inflates measured latency. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface Progress {
  /** Bench messages received for the first time, over all of this worker's fans. */
  delivered: number;
  /** Shared-clock time of the last delivery, ms; 0 before any. */
  lastDeliveryAtMs: number;
  sent: number;
  acks: number;
  rejected: number;
}

export interface WorkerReport extends Progress {
  workerIndex: number;
  fans: number;
  duplicates: number;
  reordered: number;
  /** Chat not written by a bench sender. */
  foreign: number;
  /** Frames received by type, chat included; `unreadable` for frames no server message fits. */
  frames: Record<string, number>;
  /** Error frames by code, and the first message seen per code. */
  errors: Record<string, number>;
  errorMessages: Record<string, string>;
  /** Sockets that closed before the bench closed them, by close code. */
  disconnects: Record<string, number>;
  /** Frames that needed a full JSON.parse, and why the byte scan was switched off if it was. */
  slowFrames: number;
  fastPathOff: string | undefined;
  latency: HistogramSnapshot;
}

export interface ReplyByCommand {
  connect: ConnectResult;
  send: SendResult;
  progress: Progress;
  finish: WorkerReport;
}

export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'reply'; id: number; result: ReplyByCommand[BenchCommandKind] }
  | { kind: 'failed'; id: number; message: string };
