// The rows of a run as an aligned terminal table (and the same table as Markdown for
// docs/benchmarks.md), with each row's scenario-specific figures and notes underneath.

import type { ScenarioRow } from './scenario-row.js';

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null): string => (n === null ? '-' : n.toFixed(n < 10 ? 2 : 1));
const maybe = (n: number | null): string => (n === null ? '-' : String(n));

const HEADER = [
  'scenario',
  'target',
  'fans',
  'shards',
  'deliveries/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'KiB/conn',
  'lost/dup/reord',
  'gen CPU %',
  'srv CPU %',
  'srv CPU-µs',
];

/**
 * The server's CPU per unit of the scenario's work (see ScenarioRow): per join, per resume or
 * per delivery, with the unit named; '-' when not measured.
 */
export function cpuCell(r: ScenarioRow): string {
  const per = (us: number | null | undefined, unit: string): string | undefined =>
    us === undefined || us === null ? undefined : `${us.toLocaleString('en-US')}/${unit}`;
  return (
    per(r.cpuUsPerJoin, 'join') ??
    per(r.cpuUsPerResume, 'resume') ??
    per(r.cpuUsPerDelivery, 'delivery') ??
    '-'
  );
}

function cells(r: ScenarioRow): string[] {
  return [
    r.name,
    r.target,
    integer(r.fans),
    String(r.shards),
    integer(r.deliveriesPerSec),
    ms(r.p50Ms),
    ms(r.p99Ms),
    ms(r.maxMs),
    maybe(r.kibPerConn),
    `${integer(r.lost)}/${integer(r.duplicated)}/${integer(r.reordered)}`,
    r.generatorCpu.toFixed(0),
    r.serverCpu === null ? '-' : r.serverCpu.toFixed(0),
    cpuCell(r),
  ];
}

/** How a join storm's KiB/conn was read, with the heap's part and the old reading beside it. */
export function memoryExtra(m: NonNullable<ScenarioRow['memory']>): string {
  const old = `first read (no collection, from the session's start) ${maybe(m.firstReadKiBPerConn)}`;
  if (m.method !== 'full-gc') return `KiB/conn read without a collection; ${old}`;
  const heap = `used ${maybe(m.heapUsedKiBPerConn)}, allocated ${maybe(m.heapTotalKiBPerConn)}`;
  return `KiB/conn between full collections; V8 heap growth per conn after them: ${heap}; ${old}`;
}

/** The figures only some scenarios have, as one line. */
export function extras(r: ScenarioRow): string {
  const parts: string[] = [];
  if (r.joinsPerSec !== undefined) parts.push(`${integer(r.joinsPerSec)} API joins/s`);
  if (typeof r.apiCpuUsPerJoin === 'number')
    parts.push(`API ${integer(r.apiCpuUsPerJoin)} CPU-µs/join`);
  if (typeof r.cpuUsPerClose === 'number')
    parts.push(`close ${integer(r.cpuUsPerClose)} CPU-µs/dropped socket`);
  if (r.connectPerSec !== undefined) parts.push(`${integer(r.connectPerSec)} connects/s`);
  if (r.connectFailed) parts.push(`${integer(r.connectFailed)} failed`);
  if (r.withinS !== undefined) parts.push(`arriving within ${r.withinS} s`);
  if (r.admission !== undefined) parts.push(`admission ${r.admission}`);
  if (r.refused !== undefined) parts.push(`${integer(r.refused)} refused (503)`);
  if (r.failedAttempts) parts.push(`${integer(r.failedAttempts)} attempts failed unanswered`);
  if (r.staleSocketRetries)
    parts.push(`${integer(r.staleSocketRetries)} joins resent (API closed the kept-alive socket)`);
  if (r.retries !== undefined) parts.push(`${integer(r.retries)} retries`);
  if (r.loopLagMaxMs !== undefined)
    parts.push(
      `shard loop lag max ${r.loopLagMaxMs.toFixed(0)} ms, p99 ${r.loopLagP99Ms?.toFixed(0)} ms`,
    );
  if (r.messagesPerSec !== undefined) parts.push(`${r.messagesPerSec} msg/s accepted`);
  if (r.rejected) parts.push(`${integer(r.rejected)} refused`);
  if (r.disconnects) parts.push(`${integer(r.disconnects)} closed by server`);
  if (r.tapsPerSec !== undefined) parts.push(`${integer(r.tapsPerSec)} taps/s`);
  if (r.framesPerFanPerSec !== undefined) parts.push(`${r.framesPerFanPerSec} frames/fan/s`);
  if (r.tapsSeenRatio !== undefined) parts.push(`taps seen ${(r.tapsSeenRatio * 100).toFixed(1)}%`);
  if (r.dropped !== undefined) parts.push(`${r.resumed}/${r.dropped} resumed`);
  if (r.resumeP50Ms !== undefined)
    parts.push(`resume p50 ${r.resumeP50Ms} ms, p99 ${r.resumeP99Ms} ms`);
  if (r.resumedVia !== undefined) {
    const via = Object.entries(r.resumedVia).filter(([, n]) => n > 0);
    parts.push(`back via ${via.map(([k, n]) => `${k} ${integer(n)}`).join(', ') || 'none'}`);
  }
  if (r.recovered !== undefined) parts.push(`${integer(r.recovered)} recovered`);
  if (r.continuity !== undefined) {
    parts.push(
      Object.entries(r.continuity)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    );
  }
  if (r.votesPerSec !== undefined) {
    parts.push(
      `${integer(r.votesAccepted ?? 0)} votes, ${integer(r.votesPerSec)} votes/s accepted`,
    );
  }
  if (r.voteAnswerP99Ms != null) parts.push(`vote answered p99 ${ms(r.voteAnswerP99Ms)} ms`);
  if (r.duplicateVotes !== undefined) {
    parts.push(
      `duplicates ${r.duplicateVotes.asExpected}/${r.duplicateVotes.sent} answered duplicate`,
    );
  }
  if (r.changedVotes !== undefined) {
    parts.push(`changes ${r.changedVotes.asExpected}/${r.changedVotes.sent} refused`);
  }
  if (r.finalTallyMs !== undefined) {
    parts.push(`last vote to every fan's final tally ${ms(r.finalTallyMs)} ms`);
  }
  if (r.resultMatches !== undefined) {
    parts.push(`persisted result ${r.resultMatches ? 'PASS' : 'FAIL'}`);
  }
  if (r.serverCpuUsPerDelivery != null) {
    parts.push(
      `CPU-µs/delivery: every server process ${r.serverCpuUsPerDelivery}, generators ${r.generatorCpuUsPerDelivery ?? '-'}`,
    );
  }
  if (r.framesPerSec !== undefined) {
    parts.push(
      `${integer(r.framesPerSec)} frames/s, ${r.messagesPerChatFrame ?? '-'} messages per chat frame, CPU-µs/frame: servers ${r.serverCpuUsPerFrame ?? '-'}, generators ${r.generatorCpuUsPerFrame ?? '-'}`,
    );
  }
  if (r.generatorLoopLagMaxMs !== undefined) {
    parts.push(
      `generator loop lag max ${r.generatorLoopLagMaxMs} ms, send lag max ${r.generatorSendLagMaxMs ?? '-'} ms`,
    );
  }
  if (r.coreBusy !== undefined && r.coreBusy.length > 0) {
    parts.push(`cores ${r.coreBusy.map((c) => `${Math.round(c)}%`).join(' ')}`);
  }
  if (r.processCpu !== undefined && r.processCpu.length > 0) {
    parts.push(
      `CPU % of a core: ${r.processCpu.map((p) => `${p.name} ${Math.round(p.cpu)}`).join(', ')}`,
    );
  }
  if (r.memory !== undefined) {
    parts.push(memoryExtra(r.memory));
  }
  if (r.idleRssMB !== undefined) {
    parts.push(
      `idle RSS ${r.idleRssMB} MB${r.idleRssSettled === false ? ' (still moving)' : ''}, readings ${r.idleRssReadingsMB?.join(', ') ?? '-'} MB, ready in ${((r.startupMs ?? 0) / 1000).toFixed(1)} s`,
    );
  }
  if (r.objectiveMs !== undefined && r.steps === undefined) {
    parts.push(`p99 objective ${r.objectiveMs} ms ${r.heldObjective === true ? 'held' : 'missed'}`);
  }
  if (r.steps !== undefined) {
    parts.push(
      `${r.steps.length} steps, best ${r.heldObjective === true ? 'held' : 'missed'} the objective`,
    );
  }
  return parts.join('; ');
}

/** An aligned table for the terminal, each row followed by its extras and notes. */
export function formatRows(rows: readonly ScenarioRow[]): string {
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]): string =>
    row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const out = [line(HEADER)];
  for (const r of rows) {
    out.push(line(cells(r)));
    const more = extras(r);
    if (more !== '') out.push(`    ${more}`);
    for (const note of r.notes) out.push(`    note: ${note}`);
  }
  return out.join('\n');
}

/** The same table in Markdown (headline columns and extras, notes left out). */
export function markdownRows(rows: readonly ScenarioRow[]): string {
  const header = [...HEADER, 'more'];
  const out = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) out.push(`| ${[...cells(r), extras(r)].join(' | ')} |`);
  return out.join('\n');
}
