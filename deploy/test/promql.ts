// Which metric names a PromQL expression reads, and which metric names exist, so the rules and
// the dashboard cannot quietly query a series nobody exports.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);

/** The metric (or recorded series) names `expr` selects; functions and labels are left out. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const before = stripped[match.index - 1];
    const after = stripped.slice(match.index + name.length).trimStart()[0];
    if (after === '(' || KEYWORDS.has(name.toLowerCase())) continue;
    if (before !== undefined && /[0-9.]/.test(before)) continue; // 1e3, 0.5
    names.add(name);
  }
  return [...names];
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Names declared with `name: 'fanfare_…'` in any package's src/ under `root`. */
export function declaredMetricNames(root: string): Set<string> {
  const names = new Set<string>();
  for (const pkg of readdirSync(root)) {
    const src = join(root, pkg, 'src');
    if (pkg === 'node_modules' || !statSync(join(root, pkg)).isDirectory()) continue;
    let files: string[];
    try {
      files = sourceFiles(src);
    } catch {
      continue; // a folder without src/ (docs, deploy) declares nothing
    }
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/name: '(fanfare_[a-z0-9_]+)'/g)) {
        names.add(m[1]!);
      }
    }
  }
  return names;
}

/** Node process metrics as prom-client's collectDefaultMetrics names them (every service adds them). */
export async function defaultMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  registry.clear();
  return new Set(names);
}

/** The names in `used` that `known` lacks; histogram series (_bucket, _sum, _count) count as their base. */
export function unknownMetrics(used: Iterable<string>, known: Set<string>): string[] {
  const missing = new Set<string>();
  for (const name of used) {
    const base = name.replace(/_(?:bucket|sum|count)$/, '');
    if (!known.has(name) && !known.has(base)) missing.add(name);
  }
  return [...missing].sort();
}
