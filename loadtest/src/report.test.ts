import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.js';
import type { BenchOptions } from './options.js';
import { formatTable, summarize } from './report.js';
import type { RunInputs } from './report.js';
import type { SendResult, WorkerReport } from './worker-messages.js';
import { cpuCell, formatRows } from './rows-table.js';
import { cpuUsPer, emptyRow } from './scenario-row.js';

const options: BenchOptions = {
  fans: 4,
  durationS: 2,
  ratePerS: 10,
  senders: 2,
  workers: 2,
  eventId: 'demo',
  targetApi: undefined,
};

function report(workerIndex: number, delivered: number, latencies: number[]): WorkerReport {
  const h = new Histogram();
  for (const ms of latencies) h.record(ms);
  return {
    workerIndex,
    fans: 2,
    sent: 10,
    acks: 9,
    rejected: 1,
    delivered,
    lastDeliveryAtMs: 1000 + 1800,
    duplicates: workerIndex,
    reordered: 0,
    foreign: 0,
    frames: { chat: 5 },
    errors: { rate_limited: 1 },
    errorMessages: { rate_limited: 'slow down' },
    disconnects: {},
    slowFrames: 0,
    fastPathOff: undefined,
    latency: h.snapshot(),
  };
}

const send: SendResult = {
  sent: 10,
  maxSendLagMs: 1,
  cpu: { userMs: 300, systemMs: 100, wallMs: 2000 },
  loopDelayP99Ms: 0,
  loopDelayMaxMs: 0,
};

function inputs(): RunInputs {
  return {
    options,
    connects: [
      { connected: 2, failed: 0, firstFailure: undefined, elapsedMs: 100 },
      { connected: 2, failed: 0, firstFailure: undefined, elapsedMs: 120 },
    ],
    sends: [send, send],
    reports: [report(0, 36, [1, 2, 3]), report(1, 34, [4, 5, 6])],
    sendStartMs: 1000,
    drain: { ms: 1000, end: 'quiet' },
    server: {
      pid: 1,
      rssBeforeKiB: 100 * 1024,
      rssAfterKiB: 100 * 1024 + 80,
      rssSettled: true,
      cpuPercent: 50,
      exit: 'exit code 0',
      env: {},
    },
    hostCpuPercent: 120,
  };
}

describe('summarize', () => {
  it('expects every accepted message at every connected fan', () => {
    const f = summarize(inputs());
    expect(f.sent).toBe(20);
    expect(f.rejected).toBe(2);
    expect(f.expectedDeliveries).toBe(18 * 4);
    expect(f.deliveries).toBe(70);
    expect(f.lost).toBe(2);
    expect(f.duplicated).toBe(1);
  });

  it('rates deliveries over the time from the first send to the last delivery', () => {
    expect(summarize(inputs()).deliveriesPerS).toBe(Math.round(70 / 1.8));
  });

  it('merges the workers’ latencies and divides server memory by connected fans', () => {
    const f = summarize(inputs());
    expect(f.latencyMs.count).toBe(6);
    expect(f.latencyMs.max).toBe(6);
    expect(f.server?.rssPerConnKiB).toBe(20);
  });

  it('attributes host CPU the engine and the generators did not use to other processes', () => {
    const f = summarize(inputs());
    expect(f.generator.cpuPercent).toBe(40);
    expect(f.host.otherCpuPercent).toBe(30);
  });

  it('prints every headline figure', () => {
    const table = formatTable(summarize(inputs()));
    for (const label of ['deliveries/s', 'latency p50 / p99 ms', 'server RSS/conn KiB', 'lost']) {
      expect(table).toContain(label);
    }
    expect(table).toContain('slow down');
  });
});

describe('server CPU per unit of work', () => {
  it('divides the window CPU by the work, in µs, and says when either is missing', () => {
    expect(cpuUsPer(2.5, 19_000)).toBe(132);
    expect(cpuUsPer(0.9, 2_000_000)).toBe(0.45);
    expect(cpuUsPer(undefined, 100)).toBeNull();
    expect(cpuUsPer(1, 0)).toBeNull();
  });

  it('shows the cost with its unit in the results table', () => {
    const join = { ...emptyRow('join-storm', 'fanfare', 1, 19_000), cpuUsPerJoin: 132 };
    const chat = { ...emptyRow('broadcast', 'uws-raw', 1, 2_000), cpuUsPerDelivery: 0.45 };
    expect([cpuCell(join), cpuCell(chat), cpuCell(emptyRow('x', 'socketio', 1, 1))]).toEqual([
      '132/join',
      '0.45/delivery',
      '-',
    ]);
    expect(formatRows([join])).toContain('132/join');
  });
});
