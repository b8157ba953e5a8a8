// The fans one generator process runs: it joins and connects them, feeds every frame they receive
// to the shared reader and counters, and sends the senders' chat on schedule. One reader and one
// set of counters per process, not per fan, so each extra fan costs a socket and a SeqTracker.
// Uses the `ws` client for now (permessage-deflate off, UTF-8 checks off: the server is trusted
// and the generator's CPU is the budget); the raw RFC 6455 client comes with the load tester.

import type { ClientRequest, IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { PROTOCOL_VERSION, SUBPROTOCOLS, encodeClientMessage } from '@fanfare/protocol';
import WebSocket from 'ws';
import { encodeBenchText } from './bench-text.js';
import { dueAt, dueCount, paceSchedule } from './chat-pacer.js';
import type { PaceSchedule } from './chat-pacer.js';
import { nowMs } from './clock.js';
import { forEachLimit } from './for-each-limit.js';
import { ServerFrameReader } from './frame-reader.js';
import { fanSocketUrl, joinEvent } from './join-client.js';
import { ReceiveStats } from './receive-stats.js';
import { SeqTracker } from './seq-tracker.js';
import type {
  ConnectResult,
  Progress,
  SendResult,
  WorkerPlan,
  WorkerReport,
} from './worker-messages.js';

/** How often the send loop wakes to send what is due, ms. */
const SEND_TICK_MS = 2;
/** How long closing all sockets may take before the rest are dropped, ms. */
const CLOSE_TIMEOUT_MS = 3000;
/** Event-loop delay sampling interval, ms; Node's samples include it, so it is taken off. */
const LOOP_DELAY_RESOLUTION_MS = 10;

interface Fan {
  readonly index: number;
  readonly socket: WebSocket;
  readonly seq: SeqTracker;
}

interface Sender {
  readonly index: number;
  readonly fan: Fan;
  readonly schedule: PaceSchedule;
  sent: number;
}

function asBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FanFleet {
  readonly #plan: WorkerPlan;
  readonly #reader = new ServerFrameReader();
  readonly #stats = new ReceiveStats();
  readonly #fans: Fan[] = [];
  readonly #disconnects: Record<string, number> = {};
  #sent = 0;
  #closing = false;

  constructor(plan: WorkerPlan) {
    this.#plan = plan;
  }

  /** Joins and connects every fan of the plan; resolves once each has its welcome or failed. */
  async connect(): Promise<ConnectResult> {
    const started = nowMs();
    let failed = 0;
    let firstFailure: string | undefined;
    await forEachLimit(this.#plan.fans, this.#plan.connectConcurrency, async (i) => {
      try {
        this.#fans.push(await this.#connectFan(this.#plan.firstFan + i));
      } catch (error) {
        failed++;
        firstFailure ??= describe(error);
      }
    });
    // Senders use the first connected fans; keep them in index order for a stable mapping.
    this.#fans.sort((a, b) => a.index - b.index);
    return { connected: this.#fans.length, failed, firstFailure, elapsedMs: nowMs() - started };
  }

  /** Sends the senders' chat from `startAtMs` (shared clock) for `durationMs`. */
  async send(startAtMs: number, durationMs: number): Promise<SendResult> {
    const { senders: globalSenders, totalSenders, ratePerSender } = this.#plan;
    const senders: Sender[] = [];
    globalSenders.forEach((index, k) => {
      const fan = this.#fans[k];
      if (fan === undefined) return;
      const schedule = paceSchedule(index, totalSenders, ratePerSender, durationMs);
      senders.push({ index, fan, schedule, sent: 0 });
    });

    await delay(Math.max(0, startAtMs - nowMs()));
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const cpuStart = process.cpuUsage();
    const wallStart = nowMs();
    let maxSendLagMs = 0;

    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const elapsed = nowMs() - startAtMs;
        for (const sender of senders) {
          const due = dueCount(sender.schedule, elapsed);
          while (sender.sent < due) {
            maxSendLagMs = Math.max(maxSendLagMs, elapsed - dueAt(sender.schedule, sender.sent));
            this.#sendChat(sender);
            sender.sent++;
          }
        }
        if (elapsed >= durationMs) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(tick, SEND_TICK_MS);
      tick();
    });

    const cpu = process.cpuUsage(cpuStart);
    const wallMs = nowMs() - wallStart;
    loopDelay.disable();
    return {
      sent: this.#sent,
      maxSendLagMs,
      cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs },
      loopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS),
      loopDelayMaxMs: Math.max(0, loopDelay.max / 1e6 - LOOP_DELAY_RESOLUTION_MS),
    };
  }

  progress(): Progress {
    const s = this.#stats;
    return {
      delivered: s.delivered,
      lastDeliveryAtMs: s.lastDeliveryAtMs,
      sent: this.#sent,
      acks: s.acks,
      rejected: s.rejected,
    };
  }

  report(): WorkerReport {
    const s = this.#stats;
    return {
      ...this.progress(),
      workerIndex: this.#plan.workerIndex,
      fans: this.#fans.length,
      duplicates: s.duplicates,
      reordered: s.reordered,
      foreign: s.foreign,
      frames: { ...s.frames },
      errors: { ...s.errors },
      errorMessages: { ...s.errorMessages },
      disconnects: { ...this.#disconnects },
      slowFrames: this.#reader.slowFrames,
      fastPathOff: this.#reader.fastPathOff,
      latency: s.latency.snapshot(),
    };
  }

  /** Closes every socket with 1000, waiting at most CLOSE_TIMEOUT_MS before dropping the rest. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const open = this.#fans.filter((fan) => fan.socket.readyState !== WebSocket.CLOSED);
    const closed = Promise.all(
      open.map((fan) => new Promise<void>((resolve) => fan.socket.once('close', () => resolve()))),
    );
    for (const fan of open) fan.socket.close(1000);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>(
      (resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)),
    );
    await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    this.terminate();
  }

  /** Drops every socket at once; for exits that cannot wait. */
  terminate(): void {
    this.#closing = true;
    for (const fan of this.#fans) fan.socket.terminate();
  }

  async #connectFan(index: number): Promise<Fan> {
    const timeoutMs = this.#plan.fanConnectTimeoutMs;
    const deadline = nowMs() + timeoutMs;
    const grant = await joinEvent(
      this.#plan.apiUrl,
      this.#plan.eventId,
      `bench-${index}`,
      timeoutMs,
    );
    const socket = new WebSocket(fanSocketUrl(grant), SUBPROTOCOLS[PROTOCOL_VERSION], {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: Math.max(1, deadline - nowMs()),
    });
    return await new Promise<Fan>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.off('unexpected-response', onRefused);
      };
      const fail = (message: string): void => {
        cleanup();
        // Swallow the errors a dropped socket may still emit; the failure is reported above.
        socket.on('error', () => undefined);
        socket.terminate();
        reject(new Error(`fan ${index}: ${message}`));
      };
      const onError = (error: Error): void => fail(error.message);
      const onClose = (code: number, reason: Buffer): void =>
        fail(`closed before welcome (${code} ${reason.toString()})`);
      const onRefused = (request: ClientRequest, response: IncomingMessage): void => {
        request.destroy();
        fail(
          `upgrade refused: ${response.statusCode} ${String(response.headers['x-fanfare-error'])}`,
        );
      };
      const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
        const message = isBinary ? undefined : this.#reader.decode(asBuffer(data));
        if (message?.type !== 'welcome') {
          fail(`first frame was not a welcome: ${asBuffer(data).toString('utf8', 0, 200)}`);
          return;
        }
        cleanup();
        const fan: Fan = { index, socket, seq: new SeqTracker(message.snapshot.lastSeq) };
        this.#stats.countFrame(message.type);
        // Attached in the same tick as the welcome, so no later frame can slip past.
        socket.on('message', (frame, binary) => this.#onFrame(fan, frame, binary));
        socket.on('close', (code) => this.#onClose(code));
        // `close` always follows `error` and is what gets counted.
        socket.on('error', () => undefined);
        resolve(fan);
      };
      const timer = setTimeout(
        () => fail(`no welcome within ${timeoutMs} ms`),
        Math.max(1, deadline - nowMs()),
      );
      socket.on('message', onMessage);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.on('unexpected-response', onRefused);
    });
  }

  #onFrame(fan: Fan, data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.#stats.countFrame('binary');
      return;
    }
    const frame = asBuffer(data);
    const type = this.#reader.read(frame);
    if (type === undefined) {
      this.#stats.countFrame('unreadable');
      return;
    }
    this.#stats.countFrame(type);
    switch (type) {
      case 'chat':
        this.#stats.countChat(this.#reader.chat, fan.seq, nowMs());
        break;
      case 'ack':
        this.#stats.acks++;
        break;
      case 'error': {
        const message = this.#reader.decode(frame);
        if (message?.type === 'error') {
          this.#stats.countError(message.code, message.ref !== undefined, message.message);
        } else {
          this.#stats.countError('undecodable', false, frame.toString('utf8', 0, 200));
        }
        break;
      }
      default:
        break;
    }
  }

  #onClose(code: number): void {
    if (this.#closing) return;
    this.#disconnects[code] = (this.#disconnects[code] ?? 0) + 1;
  }

  /** Sends one bench chat message, unless the fan's socket has closed (counted as a disconnect). */
  #sendChat(sender: Sender): void {
    const { socket } = sender.fan;
    if (socket.readyState !== WebSocket.OPEN) return;
    const n = sender.sent;
    const text = encodeBenchText(nowMs(), sender.index, n);
    socket.send(encodeClientMessage({ type: 'chat.send', text, ref: n.toString(36) }));
    this.#sent++;
  }
}
