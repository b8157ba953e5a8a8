// Inline SVG charts for the results page, drawn here so the page needs no script and no CDN:
// grouped bars (one group per scenario, one bar per target) and lines (a ramp's steps). Plain
// string building; every text is escaped. Log scales for figures that span decades.

export interface Series {
  name: string;
  color: string;
}

export interface BarChart {
  title: string;
  unit: string;
  groups: string[];
  series: (Series & { values: (number | null)[] })[];
  log?: boolean;
  /** A horizontal reference line (a target). */
  line?: { value: number; label: string };
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: (Series & { points: [number, number][] })[];
  logX?: boolean;
  logY?: boolean;
  line?: { value: number; label: string };
}

const WIDTH = 760;
const HEIGHT = 300;
const PAD = { left: 70, right: 20, top: 34, bottom: 60 };

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A short number: 1.2M, 35k, 420, 2.5. */
export function shortNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  return abs >= 10 || n === 0 ? n.toFixed(0) : n.toFixed(1);
}

interface Scale {
  map(v: number): number;
  ticks: number[];
}

function scale(min: number, max: number, from: number, to: number, log: boolean): Scale {
  if (log) {
    const lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
    const hi = Math.ceil(Math.log10(Math.max(max, min * 10, 1e-3)));
    const span = Math.max(1, hi - lo);
    const ticks = Array.from({ length: span + 1 }, (_, i) => 10 ** (lo + i));
    return {
      map: (v) => from + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / span) * (to - from),
      ticks,
    };
  }
  const top = max <= 0 ? 1 : max * 1.1;
  const step = 10 ** Math.floor(Math.log10(top / 4));
  const tickStep = [1, 2, 5, 10].map((m) => m * step).find((s) => top / s <= 6) ?? step * 10;
  const ticks = Array.from({ length: Math.floor(top / tickStep) + 1 }, (_, i) => i * tickStep);
  return { map: (v) => from + (v / top) * (to - from), ticks };
}

function frame(title: string, body: string, legend: Series[]): string {
  const keys = legend
    .map(
      (s, i) =>
        `<rect x="${PAD.left + i * 140}" y="${HEIGHT - 18}" width="12" height="12" fill="${s.color}"/>` +
        `<text x="${PAD.left + i * 140 + 16}" y="${HEIGHT - 8}">${escapeXml(s.name)}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">` +
    `<text x="${PAD.left}" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>${body}${keys}</svg>`
  );
}

function yAxis(y: Scale, unit: string): string {
  return y.ticks
    .map((t) => {
      const py = y.map(t).toFixed(1);
      return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${py}" y2="${py}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${py}" text-anchor="end" dy="4">${shortNumber(t)}</text>`;
    })
    .join('')
    .concat(
      `<text x="14" y="${PAD.top + 10}" transform="rotate(-90 14 ${PAD.top + 10})" text-anchor="end">${escapeXml(unit)}</text>`,
    );
}

function referenceLine(y: Scale, line: { value: number; label: string } | undefined): string {
  if (line === undefined) return '';
  const py = y.map(line.value).toFixed(1);
  return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${py}" y2="${py}" stroke="#c00" stroke-dasharray="5 4"/><text x="${WIDTH - PAD.right}" y="${py}" dy="-4" text-anchor="end" fill="#c00">${escapeXml(line.label)}</text>`;
}

export function barChart(chart: BarChart): string {
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1, ...values, chart.line?.value ?? 0);
  const min = Math.min(...values.filter((v) => v > 0), max);
  const y = scale(min, max, HEIGHT - PAD.bottom, PAD.top, chart.log === true);
  const groupWidth = (WIDTH - PAD.left - PAD.right) / Math.max(1, chart.groups.length);
  const barWidth = Math.min(36, (groupWidth - 12) / Math.max(1, chart.series.length));
  let bars = '';
  chart.groups.forEach((group, g) => {
    const x0 = PAD.left + g * groupWidth + (groupWidth - barWidth * chart.series.length) / 2;
    chart.series.forEach((s, i) => {
      const v = s.values[g];
      if (v === null || v === undefined) return;
      const top = y.map(v);
      const x = x0 + i * barWidth;
      bars +=
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${Math.max(0, HEIGHT - PAD.bottom - top).toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${s.name} ${group}: ${v}`)}</title></rect>` +
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="9">${shortNumber(v)}</text>`;
    });
    bars += `<text x="${(PAD.left + (g + 0.5) * groupWidth).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${escapeXml(group)}</text>`;
  });
  return frame(
    chart.title,
    yAxis(y, chart.unit) + bars + referenceLine(y, chart.line),
    chart.series,
  );
}

export function lineChart(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points);
  const xs = points.map(([x]) => x);
  const ys = points.map(([, v]) => v);
  const x = scale(
    Math.min(...xs, 1),
    Math.max(...xs, 1),
    PAD.left,
    WIDTH - PAD.right,
    chart.logX === true,
  );
  const yMax = Math.max(1, ...ys, chart.line?.value ?? 0);
  const y = scale(
    Math.min(...ys.filter((v) => v > 0), yMax),
    yMax,
    HEIGHT - PAD.bottom,
    PAD.top,
    chart.logY === true,
  );
  const xTicks = x.ticks
    .map(
      (t) =>
        `<text x="${x.map(t).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${shortNumber(t)}</text>`,
    )
    .join('');
  const lines = chart.series
    .map((s) => {
      const path = s.points
        .map(([px, py]) => `${x.map(px).toFixed(1)},${y.map(py).toFixed(1)}`)
        .join(' ');
      const dots = s.points
        .map(
          ([px, py]) =>
            `<circle cx="${x.map(px).toFixed(1)}" cy="${y.map(py).toFixed(1)}" r="3" fill="${s.color}"><title>${escapeXml(`${s.name}: ${px} -> ${py}`)}</title></circle>`,
        )
        .join('');
      return `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
    })
    .join('');
  const xLabel = `<text x="${(WIDTH + PAD.left) / 2}" y="${HEIGHT - PAD.bottom + 32}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`;
  return frame(
    chart.title,
    yAxis(y, chart.yLabel) + xTicks + xLabel + lines + referenceLine(y, chart.line),
    chart.series,
  );
}
