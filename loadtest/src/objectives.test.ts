import { describe, expect, it } from 'vitest';
import { capacityProfile } from './capacity.js';
import type { MachineInfo } from './machine.js';
import { formatObjectives, objectives, ratios } from './objectives.js';
import { emptyRow } from './scenario-row.js';
import type { RampStep, ScenarioRow } from './scenario-row.js';

function row(
  name: string,
  target: ScenarioRow['target'],
  patch: Partial<ScenarioRow>,
): ScenarioRow {
  return { ...emptyRow(name, target, patch.shards ?? 1, patch.fans ?? 19_000), ...patch };
}

function step(
  ratePerSec: number,
  deliveriesPerSec: number,
  held: boolean,
  generatorCpu = 50,
): RampStep {
  return {
    ratePerSec,
    messagesPerSec: ratePerSec,
    offeredPerSec: deliveriesPerSec,
    deliveriesPerSec,
    p50Ms: 10,
    p99Ms: held ? 50 : 300,
    maxMs: 400,
    generatorCpu,
    serverCpu: 60,
    disconnects: 0,
    held,
  };
}

const rows: ScenarioRow[] = [
  row('join-storm', 'fanfare', { kibPerConn: 1.6, connectPerSec: 2100 }),
  row('broadcast-max', 'fanfare', {
    deliveriesPerSec: 1_200_000,
    p99Ms: 70,
    heldObjective: true,
    steps: [step(40, 760_000, true), step(60, 1_200_000, true), step(90, 1_300_000, false, 97)],
  }),
  row('broadcast-max', 'uws-raw', { deliveriesPerSec: 200_000, heldObjective: true }),
  row('broadcast-max', 'socketio', { deliveriesPerSec: 40_000, heldObjective: true }),
  row('reactions', 'uws-raw', { deliveriesPerSec: 900_000 }),
  row('broadcast', 'socketio', { shards: 2, deliveriesPerSec: 1 }),
];

const machine: MachineInfo = {
  node: 'v20',
  platform: 'linux x64',
  kernel: '6',
  cpus: 2,
  cpuModel: undefined,
  memoryGiB: 24,
  openFilesLimit: 20_000,
  pinned: true,
  loadAverageAtStart: 0,
};

describe('ratios', () => {
  it('compares like with like: same scenario and shards, chat only', () => {
    const list = ratios(rows);
    expect(list.map((r) => [r.scenario, r.peer, r.ratio])).toEqual([
      ['broadcast-max', 'uws-raw', 6],
      ['broadcast-max', 'socketio', 30],
    ]);
  });
});

describe('objectives', () => {
  it('says how the memory per connection was read', () => {
    const memory = {
      heapUsedKiBPerConn: 0.6,
      heapTotalKiBPerConn: 0.6,
      firstReadKiBPerConn: 2.2,
    } as const;
    const rss = (method: 'full-gc' | 'first-read'): string =>
      objectives([
        row('join-storm', 'fanfare', { kibPerConn: 1.4, memory: { method, ...memory } }),
      ]).find((o) => o.id === 'rss-per-conn')!.description;
    expect(rss('full-gc')).toContain('between full collections');
    expect(rss('first-read')).toContain('without collections');
  });

  it('reports each target met or missed with its value', () => {
    const byId = Object.fromEntries(objectives(rows).map((o) => [o.id, o]));
    expect(byId['rss-per-conn']).toMatchObject({ value: 1.6, met: true });
    expect(byId['deliveries']).toMatchObject({ value: 1_200_000, met: true });
    expect(byId['vs-socketio']).toMatchObject({ value: 30, met: true });
    expect(byId['vs-uws-raw']).toMatchObject({ value: 6, met: true });
    expect(byId['joins']).toMatchObject({ value: 2100, met: false });
  });

  it('checks a join against 150 CPU-µs and a ticket resume against the join', () => {
    const costs = [
      row('join-storm', 'fanfare', { cpuUsPerJoin: 180 }),
      row('resume-storm', 'fanfare', { cpuUsPerResume: 60 }),
    ];
    const byId = Object.fromEntries(objectives(costs).map((o) => [o.id, o]));
    expect(byId['join-cpu']).toMatchObject({ value: 180, threshold: 150, met: false });
    expect(byId['resume-cpu']).toMatchObject({ value: 60, threshold: 180, met: true });
    costs[1]!.cpuUsPerResume = 200;
    expect(objectives(costs).find((o) => o.id === 'resume-cpu')?.met).toBe(false);
    expect(objectives([]).find((o) => o.id === 'resume-cpu')?.met).toBeNull();
  });

  it("checks the API's joins per core as 1e6 over its CPU-µs per join", () => {
    const fast = [row('join-storm', 'fanfare', { apiCpuUsPerJoin: 259, joinsPerSec: 3768 })];
    expect(objectives(fast).find((o) => o.id === 'api-joins')).toMatchObject({
      value: 3861,
      threshold: 3000,
      met: true,
    });
    const slow = [row('join-storm', 'fanfare', { apiCpuUsPerJoin: 357, otherCpu: 160 })];
    const o = objectives(slow).find((x) => x.id === 'api-joins')!;
    expect(o).toMatchObject({ value: 2801, met: false });
    expect(o.limit).toContain('357 CPU-µs per join');
    expect(o.limit).toContain('other processes used 160% of a core');
    // A join storm without the API apart (embedded, or tokens not fetched first): not measured.
    const embedded = [row('join-storm', 'fanfare', { connectPerSec: 2000 })];
    expect(objectives(embedded).find((x) => x.id === 'api-joins')?.met).toBeNull();
  });

  it("holds the embedded engine's idle RSS to 300 MB", () => {
    const idle = (mb: number) => [
      row('embedded-idle', 'fanfare', { fans: 0, idleRssMB: mb, idleRssReadingsMB: [mb] }),
    ];
    expect(objectives(idle(272)).find((o) => o.id === 'embedded-idle-rss')).toMatchObject({
      value: 272,
      threshold: 300,
      met: true,
    });
    expect(objectives(idle(302.7)).find((o) => o.id === 'embedded-idle-rss')?.met).toBe(false);
    expect(objectives([]).find((o) => o.id === 'embedded-idle-rss')).toMatchObject({
      met: null,
      limit: 'not measured (pnpm bench:idle)',
    });
  });

  it('lists every target of the issue once', () => {
    expect(objectives([]).map((o) => o.id)).toEqual([
      'rss-per-conn',
      'deliveries',
      'vs-socketio',
      'vs-uws-raw',
      'joins',
      'join-cpu',
      'api-joins',
      'cluster',
      'resume-recovery',
      'resume-shard-kill',
      'embedded-idle-rss',
      '19k-one-core',
      'resume-cpu',
    ]);
  });

  it('prints a missed target with its limit, and how to measure one not measured', () => {
    const text = formatObjectives(
      objectives([row('embedded-idle', 'fanfare', { idleRssMB: 310, idleRssReadingsMB: [310] })]),
    );
    expect(text).toMatch(/MISSED {2}the embedded engine idle .*: 310 \(limit: .*310 MB\)/);
    expect(text).toContain('NOT MEASURED  shard-kill: ');
    expect(text).toMatch(/NOT MEASURED {2}shard-kill: .*: - \(pnpm loadtest shard-kill\)$/m);
    expect(text).not.toContain('(not measured');
  });

  it('says a figure was not measured rather than missed', () => {
    const byId = Object.fromEntries(objectives([]).map((o) => [o.id, o]));
    expect(byId['deliveries']).toMatchObject({ value: null, met: null });
  });

  it('does not count a ramp that never held the latency objective', () => {
    const missed = rows.map((r) =>
      r.name === 'broadcast-max' && r.target === 'fanfare' ? { ...r, heldObjective: false } : r,
    );
    expect(objectives(missed).find((o) => o.id === 'deliveries')?.met).toBe(false);
  });
});

describe('capacityProfile', () => {
  it('takes the best step that held, and flags a generator-bound edge as a lower bound', () => {
    const profile = capacityProfile(rows, machine, '2026-01-01T00:00:00Z', 100);
    expect(profile.shards).toHaveLength(1);
    expect(profile.shards[0]).toMatchObject({
      fans: 19_000,
      held: true,
      deliveriesPerSec: 1_200_000,
      messagesPerSec: 60,
      kibPerConn: 1.6,
      connectsPerSec: 2100,
      limitedBy: 'generator',
      lowerBound: true,
    });
    expect(profile.objective).toEqual({ p99Ms: 100 });
  });

  it('calls a ramp whose every step held a lower bound cut short by its last step', () => {
    const allHeld = row('broadcast-max', 'fanfare', {
      fans: 2000,
      steps: [step(100, 200_000, true), step(150, 300_000, true)],
    });
    expect(capacityProfile([allHeld], machine, 'now', 100).shards[0]).toMatchObject({
      deliveriesPerSec: 300_000,
      limitedBy: 'ramp-end',
      lowerBound: true,
    });
  });

  it('records a fan count at which no rate held the objective', () => {
    const missed = row('broadcast-max', 'fanfare', {
      fans: 19_000,
      steps: [step(1, 19_000, false), step(2, 30_000, false)],
    });
    const profile = capacityProfile([rows[0]!, missed], machine, 'now', 100);
    expect(profile.shards[0]).toMatchObject({ held: false, deliveriesPerSec: 0, p99Ms: 300 });
    expect(capacityProfile(rows.slice(0, 1), machine, 'now', 100).shards).toEqual([]);
  });
});
