// The alerting rules pass promtool's check and its unit tests, and every metric the rules and the
// Grafana dashboard query exists in the code or is listed as pending in metrics.yml.

import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { declaredMetricNames, defaultMetricNames, metricNames, unknownMetrics } from './promql.js';
import { PROMTOOL, runTool, toolAvailable } from './tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = fileURLToPath(new URL('../prometheus/', import.meta.url));
const RULES = join(DIR, 'alerts.yml');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
}
interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; w: number };
  targets?: { refId: string; expr: string }[];
}

const rules = (
  parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);
const catalogue = parse(readFileSync(join(DIR, 'metrics.yml'), 'utf8')) as {
  pending: Record<string, { type: string; owner: string; help: string }>;
  external: Record<string, string>;
};
const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string }[] };
};
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

async function knownMetrics(): Promise<Set<string>> {
  return new Set([
    ...declaredMetricNames(ROOT),
    ...(await defaultMetricNames()),
    ...rules.flatMap((r) => (r.record ? [r.record] : [])),
    ...Object.keys(catalogue.pending),
    ...Object.keys(catalogue.external),
  ]);
}

const promtool = toolAvailable(PROMTOOL);

describe.skipIf(!promtool)('alerts.yml with promtool', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fanfare-rules-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes promtool check rules', async () => {
    const result = await runTool(PROMTOOL, ['check', 'rules', RULES]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('fails the check on a broken expression (so the check above can fail)', async () => {
    const broken = join(scratch, 'broken.yml');
    writeFileSync(broken, readFileSync(RULES, 'utf8').replace('> 0.25', '> > 0.25'));
    const result = await runTool(PROMTOOL, ['check', 'rules', broken]);
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/FAILED|parse error/);
  });

  it('passes its unit tests (promtool test rules alerts.test.yml)', async () => {
    copyFileSync(RULES, join(scratch, 'alerts.yml'));
    copyFileSync(join(DIR, 'alerts.test.yml'), join(scratch, 'alerts.test.yml'));
    const result = await runTool(PROMTOOL, ['test', 'rules', join(scratch, 'alerts.test.yml')]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('fails a unit test when an alert threshold moves', async () => {
    copyFileSync(join(DIR, 'alerts.test.yml'), join(scratch, 'alerts.test.yml'));
    writeFileSync(
      join(scratch, 'alerts.yml'),
      readFileSync(RULES, 'utf8').replace('ratio_rate5m > 0.01', 'ratio_rate5m > 0.02'),
    );
    const result = await runTool(PROMTOOL, ['test', 'rules', join(scratch, 'alerts.test.yml')]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('alertname: FanfareRebufferingHigh');
  });
});

describe('the metrics the rules and the dashboard query', () => {
  it('finds the metric names in PromQL, leaving out functions, labels and grouping', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{x="y{z}"}[1m]))) / on (shard) b > 1e3',
      ).sort(),
    ).toEqual(['a_seconds_bucket', 'b']);
  });

  it('are all exported by the code, recorded by the rules, or listed in metrics.yml', async () => {
    const known = await knownMetrics();
    expect(known).toContain('fanfare_gateway_connections'); // read from gateway/src/metrics.ts
    expect(known).toContain('nodejs_eventloop_lag_p99_seconds'); // prom-client's defaults
    expect(known).toContain('fanfare_fanout_delivery_seconds'); // gateway/src/fanout-latency.ts
    expect(
      unknownMetrics(
        rules.flatMap((r) => metricNames(r.expr)),
        known,
      ),
    ).toEqual([]);
    const queries = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(unknownMetrics(queries.flatMap(metricNames), known)).toEqual([]);
    expect(unknownMetrics(['fanfare_gateway_conections'], known)).toEqual([
      'fanfare_gateway_conections',
    ]);
  });

  it('lists each pending metric with its type, owner and meaning', () => {
    for (const [name, entry] of Object.entries(catalogue.pending)) {
      expect(name).toMatch(/^fanfare_[a-z0-9_]+$/);
      expect(['counter', 'gauge', 'histogram']).toContain(entry.type);
      expect(entry.owner).toMatch(/issue \d+/);
      expect(entry.help.length).toBeGreaterThan(10);
    }
  });
});

describe('the Grafana dashboard', () => {
  it('has a query in every panel, unique refIds, and a Prometheus data source variable', () => {
    expect(dashboard.uid).toBe('fanfare-event-day');
    expect(dashboard.templating.list.map((v) => v.type)).toContain('datasource');
    expect(queryPanels.length).toBeGreaterThan(10);
    for (const panel of queryPanels) {
      const targets = panel.targets ?? [];
      expect(targets.length, panel.title).toBeGreaterThan(0);
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it('has a panel for every alert', () => {
    const queried = new Set(
      queryPanels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))),
    );
    for (const alert of rules.filter((r) => r.alert)) {
      const series = metricNames(alert.expr);
      expect(
        series.some((s) => queried.has(s)),
        `${alert.alert} reads ${series.join(', ')}`,
      ).toBe(true);
    }
  });
});
