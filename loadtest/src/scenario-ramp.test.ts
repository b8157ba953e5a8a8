import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.js';
import type { Window } from './phase-meter.js';
import type { RampStep } from './scenario-row.js';
import { judgeStep, nextRate } from './scenario-ramp.js';

function window(latencies: number[], delivered: number, sent: number, fans: number): Window {
  const latency = new Histogram();
  for (const ms of latencies) latency.record(ms);
  return {
    startMs: 0,
    endMs: 1000,
    delivered,
    sent,
    rejected: 0,
    taps: 0,
    reactionFrames: 0,
    tapsSeen: 0,
    disconnects: 0,
    frames: 0,
    chatFrames: 0,
    latency,
    generatorCpu: 50,
    generatorSystemCpu: 10,
    maxWorkerCpu: 50,
    serverCpu: 40,
    shardCpuSeconds: 0.4,
    hostCpu: 95,
    loopDelayMaxMs: 0,
    connected: fans,
    maxSeq: sent,
  };
}

const step = (ratePerSec: number, held: boolean): RampStep => ({
  ratePerSec,
  messagesPerSec: ratePerSec,
  offeredPerSec: 0,
  deliveriesPerSec: 0,
  p50Ms: 0,
  p99Ms: 0,
  maxMs: 0,
  generatorCpu: 0,
  serverCpu: null,
  disconnects: 0,
  held,
});

describe('judgeStep', () => {
  it('holds when p99 is within the objective and fans keep up', () => {
    const judged = judgeStep(window(Array(100).fill(20), 1000, 10, 100), 10, 100);
    expect(judged).toMatchObject({ held: true, deliveriesPerSec: 1000, offeredPerSec: 1000 });
  });

  it('misses on latency, on falling behind, or on a closed fan', () => {
    expect(judgeStep(window(Array(100).fill(150), 1000, 10, 100), 10, 100).held).toBe(false);
    expect(judgeStep(window(Array(100).fill(20), 500, 10, 100), 10, 100).held).toBe(false);
    const closed = window(Array(100).fill(20), 1000, 10, 100);
    closed.disconnects = 1;
    expect(judgeStep(closed, 10, 100).held).toBe(false);
  });
});

describe('nextRate', () => {
  it('climbs while steps hold and stops at the first miss', () => {
    expect(nextRate([step(10, true)], 1.5)).toBe(15);
    expect(nextRate([step(10, true), step(15, false)], 1.5)).toBeUndefined();
  });

  it('looks lower while no step has held', () => {
    expect(nextRate([step(90, false)], 1.5)).toBe(60);
    expect(nextRate([step(90, false), step(60, true)], 1.5)).toBeUndefined();
    expect(nextRate([step(90, false), step(60, false)], 1.5)).toBe(40);
    expect(nextRate([step(1.2, false)], 1.5)).toBe(1);
    expect(nextRate([step(1.2, false), step(1, false)], 1.5)).toBeUndefined();
  });
});
