// The human page of a suite run (loadtest/results/latest.html): targets met or missed, the
// comparison ratios, charts drawn as inline SVG by svg-charts.ts, and every row with its notes.
// One self-contained file: no script, no stylesheet or font from elsewhere.

import type { TargetKind } from './dialect.js';
import type { MachineInfo } from './machine.js';
import { costTargets, costText, cpuCosts } from './cpu-costs.js';
import type { Objective, Ratio } from './objectives.js';
import { cpuCell, extras } from './rows-table.js';
import type { ScenarioRow } from './scenario-row.js';
import { barChart, escapeXml, lineChart } from './svg-charts.js';

export interface ResultsDocument {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  scenarios: ScenarioRow[];
  ratios: Ratio[];
  objectives: Objective[];
  /** Scenarios run apart from the suite (the cluster) and merged in: their own run, by name. */
  runs?: Record<string, { startedAt: string; finishedAt: string; machine: MachineInfo }>;
}

const COLORS: Record<TargetKind, string> = {
  fanfare: '#2b6cb0',
  'uws-raw': '#718096',
  socketio: '#dd6b20',
};
const TARGETS: TargetKind[] = ['fanfare', 'uws-raw', 'socketio'];

const label = (r: ScenarioRow): string =>
  `${r.name}${r.shards > 1 ? ` x${r.shards}` : ''} (${r.fans >= 1000 ? `${Math.round(r.fans / 1000)}k` : r.fans})`;

/** Grouped bars of one figure: a group per scenario (fans, shards), a bar per target. */
function compare(
  rows: ScenarioRow[],
  title: string,
  unit: string,
  pick: (r: ScenarioRow) => number | null,
  log = false,
  line?: { value: number; label: string },
): string {
  const groups = [...new Set(rows.map(label))];
  const series = TARGETS.map((target) => ({
    name: target,
    color: COLORS[target],
    values: groups.map((g) => {
      const row = rows.find((r) => r.target === target && label(r) === g);
      return row === undefined ? null : pick(row);
    }),
  })).filter((s) => s.values.some((v) => v !== null));
  return groups.length === 0
    ? ''
    : barChart({ title, unit, groups, series, log, ...(line === undefined ? {} : { line }) });
}

function ramps(rows: ScenarioRow[], objectiveMs: number): string {
  const withSteps = rows.filter((r) => r.steps !== undefined && r.steps.length > 0);
  if (withSteps.length === 0) return '';
  const series = (pick: (s: NonNullable<ScenarioRow['steps']>[number]) => number) =>
    withSteps.map((r) => ({
      name: `${r.target} (${r.fans} fans)`,
      color: COLORS[r.target],
      points: [...r.steps!]
        .sort((a, b) => a.ratePerSec - b.ratePerSec)
        .map((s): [number, number] => [s.ratePerSec, pick(s)]),
    }));
  return (
    lineChart({
      title: 'broadcast-max: deliveries/s by offered chat rate',
      xLabel: 'chat messages/s offered (one event)',
      yLabel: 'deliveries/s',
      series: series((s) => s.deliveriesPerSec),
      logX: true,
      logY: true,
    }) +
    lineChart({
      title: 'broadcast-max: p99 publish-to-fan latency by offered chat rate',
      xLabel: 'chat messages/s offered (one event)',
      yLabel: 'p99 ms',
      series: series((s) => s.p99Ms),
      logX: true,
      logY: true,
      line: { value: objectiveMs, label: `objective ${objectiveMs} ms` },
    })
  );
}

function table(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const fmt = (n: number | null, digits = 0): string =>
  n === null ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits });

/**
 * The cluster scenario, run apart from the suite (`pnpm loadtest cluster`): when it ran, and who
 * used the CPU over its send window, process by process (% of one core).
 */
function clusterSection(rows: ScenarioRow[], doc: ResultsDocument): string {
  if (rows.length === 0) return '';
  const run = doc.runs?.cluster;
  const when =
    run === undefined
      ? ''
      : `<p>Run apart from the suite: ${escapeXml(run.startedAt)} to ${escapeXml(run.finishedAt)}, load average at start ${run.machine.loadAverageAtStart}. Command: <code>pnpm loadtest cluster</code>.</p>`;
  const bars = rows
    .filter((r) => r.processCpu !== undefined && r.processCpu.length > 0)
    .map((r) =>
      barChart({
        title: `cluster x${r.shards} (${fmt(r.fans)} fans): CPU by process over the send window, cores ${(r.coreBusy ?? []).map((c) => `${Math.round(c)}%`).join(' ')} busy`,
        unit: '% of a core',
        groups: r.processCpu!.map((p) => p.name),
        series: [
          { name: 'fanfare', color: COLORS.fanfare, values: r.processCpu!.map((p) => p.cpu) },
        ],
      }),
    )
    .join('\n');
  return `<h2>Cluster (${rows.length} run${rows.length > 1 ? 's' : ''})</h2>${when}${bars}`;
}

export function resultsPage(doc: ResultsDocument, objectiveMs: number): string {
  const rows = doc.scenarios;
  const chat = rows.filter((r) =>
    ['broadcast-max', 'broadcast', 'chat-storm', 'recovery', 'shard-kill', 'cluster'].includes(
      r.name,
    ),
  );
  const objectivesTable = table(
    ['id', 'target', 'value', 'verdict', 'what limits it'],
    doc.objectives.map((o) => [
      o.id,
      o.description,
      fmt(o.value, 2),
      o.met === null ? 'not measured' : o.met ? 'met' : 'missed',
      o.met === true ? '' : o.limit,
    ]),
  );
  const ratiosTable = table(
    ['scenario', 'fans', 'shards', 'peer', 'Fanfare deliveries/s', 'peer deliveries/s', 'ratio'],
    doc.ratios.map((r) => [
      r.scenario,
      fmt(r.fans),
      String(r.shards),
      r.peer,
      fmt(r.fanfare),
      fmt(r.peerValue),
      r.ratio === null ? '-' : `${r.ratio}x`,
    ]),
  );
  const costs = cpuCosts(rows);
  const costsTable = table(
    ['scenario', 'fans', 'shards', ...TARGETS],
    costs.map((c) => [
      c.scenario,
      fmt(c.fans),
      String(c.shards),
      ...TARGETS.map((t) => (costTargets(c).includes(t) ? costText(c, t) : '-')),
    ]),
  );
  const rowsTable = table(
    [
      'scenario',
      'target',
      'fans',
      'shards',
      'deliveries/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'KiB/conn',
      'lost',
      'dup',
      'reord',
      'gen CPU %',
      'srv CPU %',
      'srv CPU-µs',
      'more',
      'notes',
    ],
    rows.map((r) => [
      r.name,
      r.target,
      fmt(r.fans),
      String(r.shards),
      fmt(r.deliveriesPerSec),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.p999Ms, 2),
      fmt(r.maxMs, 1),
      fmt(r.kibPerConn, 2),
      fmt(r.lost),
      fmt(r.duplicated),
      fmt(r.reordered),
      fmt(r.generatorCpu),
      fmt(r.serverCpu),
      cpuCell(r),
      extras(r),
      r.notes.join(' | '),
    ]),
  );
  const m = doc.machine;
  const charts = [
    compare(chat, 'Chat deliveries/s (log scale)', 'deliveries/s', (r) => r.deliveriesPerSec, true),
    compare(chat, 'p99 publish-to-fan latency (log scale)', 'ms', (r) => r.p99Ms, true, {
      value: objectiveMs,
      label: `objective ${objectiveMs} ms`,
    }),
    ramps(rows, objectiveMs),
    compare(
      rows.filter((r) => r.name === 'join-storm'),
      'Server memory per connection',
      'KiB/conn',
      (r) => r.kibPerConn,
      false,
      { value: 2, label: 'target 2 KiB' },
    ),
    compare(
      rows.filter((r) => r.name === 'join-storm'),
      'Fans admitted per second (join storm)',
      'connects/s',
      (r) => r.connectPerSec ?? null,
    ),
    compare(
      rows.filter((r) => r.name === 'reactions'),
      'Reaction frames per fan per second (fewer is better)',
      'frames/fan/s',
      (r) => r.framesPerFanPerSec ?? null,
      true,
    ),
    compare(
      chat,
      'Generator CPU, % of its core (near 100: generator-bound)',
      '%',
      (r) => r.generatorCpu,
    ),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fanfare benchmarks</title>
<style>body{font:14px/1.45 sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0 20px;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}svg{display:block;margin:12px 0 24px}</style></head>
<body><h1>Fanfare against its peers</h1>
<p>Run ${escapeXml(doc.startedAt)} to ${escapeXml(doc.finishedAt)} on ${m.cpus} x ${escapeXml(m.cpuModel ?? 'unknown CPU')}, ${m.memoryGiB} GiB, Node ${escapeXml(m.node)}, ${escapeXml(m.platform)} ${escapeXml(m.kernel)}; servers ${m.pinned ? 'pinned to core 1, generators to core 0' : 'not pinned'}; load average at start ${m.loadAverageAtStart}. Method: <code>docs/benchmarks.md</code>.</p>
<h2>Targets</h2>${objectivesTable}
<h2>Fanfare over its peers</h2>${ratiosTable}
<h2>What a join and a delivery cost each server</h2><p>The server's own CPU (utime + stime from <code>/proc</code>) over the phase per fan admitted or per delivery, beside its rate: a saturated generator or a busy machine lowers a rate, not this.</p>${costsTable}
<h2>Charts</h2>${charts}
${clusterSection(
  rows.filter((r) => r.name === 'cluster'),
  doc,
)}
<h2>Every figure</h2>${rowsTable}
</body></html>
`;
}
