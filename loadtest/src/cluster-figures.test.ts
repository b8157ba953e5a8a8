import { describe, expect, it } from 'vitest';
import type { ResultsDocument } from './html-report.js';
import { machineInfo } from './machine.js';
import type { MachineInfo } from './machine.js';
import { parseBenchOptions } from './options.js';
import {
  coreBusyPercents,
  labelProcesses,
  parseCoreTicks,
  processCpuBetween,
} from './process-cpu.js';
import { mergeRows, parseResults } from './results-merge.js';
import { clusterLimitNotes, coresNeeded } from './scenario-cluster.js';
import { emptyRow } from './scenario-row.js';

const STAT = (a: number[], b: number[]): string =>
  [
    `cpu  ${a.map((x, i) => x + b[i]!).join(' ')}`,
    `cpu0 ${a.join(' ')}`,
    `cpu1 ${b.join(' ')}`,
    'intr 1 2 3',
  ].join('\n');

describe('process and core CPU', () => {
  it('names the cluster processes by what they run, shards in pid order', () => {
    const tsx = (script: string) => `/usr/bin/node --import tsx ${script}`;
    expect(
      labelProcesses([
        { pid: 30, cmdline: tsx('gateway/src/main.ts') },
        { pid: 10, cmdline: tsx('api/src/main.ts') },
        { pid: 20, cmdline: tsx('gateway/src/main.ts') },
        { pid: 5, cmdline: '/usr/local/bin/nats-server -js' },
        { pid: 6, cmdline: 'redis-server 127.0.0.1:6379' },
        { pid: 7, cmdline: '/usr/bin/postgres -D x' },
      ]),
    ).toEqual([
      { name: 'shard 2', pid: 30 },
      { name: 'api', pid: 10 },
      { name: 'shard 1', pid: 20 },
      { name: 'nats', pid: 5 },
      { name: 'redis', pid: 6 },
      { name: 'postgres', pid: 7 },
    ]);
  });

  it('reads each core from /proc/stat and gives its busy share between two readings', () => {
    // user nice system idle iowait irq softirq steal
    const before = parseCoreTicks(
      STAT([100, 0, 50, 800, 50, 0, 0, 0], [10, 0, 10, 980, 0, 0, 0, 0]),
    );
    expect(before).toEqual([
      { busy: 150, total: 1000 },
      { busy: 20, total: 1000 },
    ]);
    const after = parseCoreTicks(
      STAT([190, 0, 60, 800, 50, 0, 0, 0], [30, 0, 10, 1060, 0, 0, 0, 0]),
    );
    expect(coreBusyPercents(before, after)).toEqual([100, 20]);
  });

  it('gives each process its share of a core over the window, leaving out one that vanished', () => {
    const at = (ms: number, entries: [string, number][]) => ({
      atMs: ms,
      seconds: new Map(entries),
      cores: [],
    });
    const cpu = processCpuBetween(
      at(0, [
        ['shard 1', 1],
        ['api', 2],
      ]),
      at(2000, [
        ['shard 1', 2.5],
        ['generator 1', 9],
      ]),
    );
    expect(cpu).toEqual([{ name: 'shard 1', cpu: 75 }]);
  });
});

describe('cluster figures', () => {
  it('says the machine was the limit when every core was full, and names a saturated process', () => {
    const notes = clusterLimitNotes({
      coreBusy: [97, 95],
      processCpu: [
        { name: 'shard 1', cpu: 40 },
        { name: 'nats', cpu: 20 },
        { name: 'generator 1', cpu: 92 },
        { name: 'coordinator', cpu: 5 },
      ],
      p99Ms: 900,
    });
    expect(notes[0]).toMatch(
      /^the machine was the limit: every core busy \(97%, 95%; servers 60%, generators 97% of a core\)$/,
    );
    expect(notes[1]).toBe('generator 1 at 92% of a core: one process saturated');
    const calm = clusterLimitNotes({ coreBusy: [50, 80], processCpu: [], p99Ms: 20 });
    expect(calm).toEqual(['cores 50%, 80% busy; servers 0%, generators 0% of a core']);
  });

  it('projects the cores a load needs from the measured costs', () => {
    expect(coresNeeded(450_000, 2, 1.6)).toBe(1.62);
    expect(coresNeeded(0, 2, 1.5)).toBe(0);
  });
});

describe('the cluster scenario in the suite results', () => {
  const machine = { cpus: 2 } as MachineInfo;
  const suite: ResultsDocument = {
    startedAt: 's',
    finishedAt: 'f',
    machine,
    scenarios: [emptyRow('join-storm', 'fanfare', 1, 19_000), emptyRow('cluster', 'fanfare', 5, 1)],
    ratios: [],
    objectives: [],
  };

  it('replaces an earlier cluster row, keeps the suite rows and its run, and recomputes targets', () => {
    const row = emptyRow('cluster', 'fanfare', 5, 90_000);
    const run = { startedAt: 'a', finishedAt: 'b', machine };
    const doc = mergeRows(suite, [row], run);
    expect(doc.scenarios.map((r) => [r.name, r.fans])).toEqual([
      ['join-storm', 19_000],
      ['cluster', 90_000],
    ]);
    expect(doc.startedAt).toBe('s');
    expect(doc.runs).toEqual({ cluster: run });
    expect(doc.objectives.some((o) => o.id === 'cluster')).toBe(true);
  });

  it('starts a document when there is no suite run, or it cannot be read', () => {
    expect(parseResults(undefined)).toBeUndefined();
    expect(parseResults('{"scenarios": 3')).toBeUndefined();
    expect(parseResults(JSON.stringify(suite))?.scenarios).toHaveLength(2);
    const doc = mergeRows(undefined, [emptyRow('cluster', 'fanfare', 5, 10)], {
      startedAt: 'a',
      finishedAt: 'b',
      machine,
    });
    expect(doc.startedAt).toBe('a');
    expect(doc.scenarios).toHaveLength(1);
  });
});

describe('cluster options', () => {
  it('defaults to the issue shape: 90,000 fans, 5 shards, 6 generators, 5 msg/s, unpinned', () => {
    const parsed = parseBenchOptions(['cluster']);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: {
        fans: 90_000,
        shards: 5,
        workers: 6,
        ratePerS: 5,
        durationS: 30,
        objectiveMs: 250,
        pin: false,
        cluster: true,
        admission: 'off',
      },
    });
    const small = parseBenchOptions(['cluster', '--fans', '20000']);
    expect(small.kind === 'run' && small.options.workers).toBe(5);
  });

  it('refuses peers, an engine already running and a single shard', () => {
    const parsed = parseBenchOptions(['cluster', '--target', 'socketio', '--shards', '1']);
    expect(parsed.kind === 'invalid' && parsed.problems).toEqual([
      'cluster runs against Fanfare only',
      'cluster needs --shards 2 or more, got 1',
    ]);
  });
});

describe('the cluster scenario on the results page', () => {
  it('draws its CPU by process and names its own run', async () => {
    const { resultsPage } = await import('./html-report.js');
    const machine = machineInfo(false);
    const row = emptyRow('cluster', 'fanfare', 5, 90_000);
    row.processCpu = [
      { name: 'shard 1', cpu: 61.5 },
      { name: 'generator 1', cpu: 70 },
    ];
    row.coreBusy = [99, 97];
    const doc = mergeRows(undefined, [row], { startedAt: 'then', finishedAt: 'later', machine });
    const page = resultsPage(doc, 100);
    expect(page).toContain('<h2>Cluster (1 run)</h2>');
    expect(page).toContain('Run apart from the suite: then to later, load average at start');
    expect(page).toContain(
      'cluster x5 (90,000 fans): CPU by process over the send window, cores 99% 97% busy',
    );
    expect(page).toContain('generator 1');
    expect(resultsPage({ ...doc, scenarios: [] }, 100)).not.toContain('<h2>Cluster');
  });
});

describe('the connect limit', () => {
  it('starts no fan past the plan deadline and counts those left out', async () => {
    const { FanFleet } = await import('./fan-fleet.js');
    const { nowMs } = await import('./clock.js');
    const fleet = new FanFleet({
      workerIndex: 0,
      apiUrl: 'http://127.0.0.1:9',
      eventId: 'demo',
      firstFan: 0,
      fans: 3,
      senders: [],
      ratePerSender: 0,
      totalSenders: 1,
      connectConcurrency: 2,
      fanConnectTimeoutMs: 1000,
      target: 'fanfare',
      serverUrls: [],
      localAddress: undefined,
      connectDeadlineMs: nowMs() - 1,
    });
    const result = await fleet.connect();
    fleet.terminate();
    expect(result).toMatchObject({ connected: 0, failed: 0, notAttempted: 3 });
  });
});

describe('frames in the interval polls', () => {
  it('reports text frames of every type and the chat ones as deltas', async () => {
    const { IntervalMeter } = await import('./interval-meter.js');
    const { Histogram } = await import('./histogram.js');
    const stats = {
      frames: { chat: 3, presence: 2 } as Record<string, number>,
      latency: new Histogram(),
      delivered: 0,
      rejected: 0,
    };
    const receiver = {
      stats,
      reactionFrames: 0,
      tapsSeen: 0,
      disconnectCount: 0,
      live: 1,
      maxSeq: 0,
    };
    const meter = new IntervalMeter();
    type Receiver = Parameters<typeof meter.poll>[0];
    expect(meter.poll(receiver as unknown as Receiver, 0, 0)).toMatchObject({
      frames: 5,
      chatFrames: 3,
    });
    stats.frames.chat = 10;
    stats.frames.welcome = 1;
    expect(meter.poll(receiver as unknown as Receiver, 0, 0)).toMatchObject({
      frames: 8,
      chatFrames: 7,
    });
    meter.close();
  });
});
