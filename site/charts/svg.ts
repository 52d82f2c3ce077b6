// Bar charts and line charts as SVG, drawn at build time. Colours are CSS variables (site.css),
// so one chart reads in the light and the dark theme; the numbers are also in a table beside the
// picture. `npm run bench -- --svg` and `npm run trace -- --svg` draw their charts here too, into
// a file of their own.

import { escapeHtml } from '../highlight.ts';

export interface BarChart {
  /** What the chart shows, for its accessible name. */
  title: string;
  /** One or two sentences on how it reads, for screen readers. */
  desc: string;
  /** The groups along the x axis (one per trace, or a single unnamed group). */
  groups: string[];
  /** The bars of each group, one colour each, named in the legend. */
  series: string[];
  /** values[group][series]; undefined where there is no measure (a failed run). */
  values: (number | undefined)[][];
  /**
   * The y axis: its label, its top, and how its numbers read. A logarithmic axis (`log`) runs
   * from `min` to `max`, powers of ten both, with a grid line at each power of ten.
   */
  axis: { label: string; max: number; format: (value: number) => string; ticks: number; log?: { min: number } };
  /** Colour each group rather than each series (one bar per group, named below it; no legend). */
  colorByGroup?: boolean;
  /** How wide the picture is, in its own units. */
  width?: number;
  /** Where the picture sits inside another SVG (renderSvgFile stacks charts so). */
  at?: { x: number; y: number };
}

const HEIGHT = 260;
const TOP = 34;
const BOTTOM = 44;
const LEFT = 56;
const RIGHT = 12;
/** About how wide a character of an 11px label is, in the chart's units. */
const LABEL_CHAR_WIDTH = 6.2;
/**
 * The narrowest a chart is drawn, as a share of its own width: narrower, its 11px labels would
 * shrink below 8px; its figure scrolls sideways instead (site.css).
 */
export const MIN_SCALE = 0.75;

/** Group labels too wide for their groups, even on two lines, are turned (else they run into each other). */
const TURN = 35;

/** How the group labels of a chart are set: level, one or two lines each, or turned; and the room they take below the plot. */
function labelLayout(chart: BarChart): { turned: boolean; bottom: number; groupWidth: number } {
  const width = chart.width ?? 720;
  const groupWidth = (width - LEFT - RIGHT) / Math.max(1, chart.groups.length);
  const fits = (text: string) => text.length * LABEL_CHAR_WIDTH <= groupWidth * 0.95;
  const turned = chart.groups.some((group) => !fits(group) && !splitLabel(group).every(fits));
  if (!turned) return { turned, bottom: BOTTOM, groupWidth };
  const longest = Math.max(...chart.groups.map((g) => g.length)) * LABEL_CHAR_WIDTH;
  const bottom = Math.max(BOTTOM, Math.ceil(longest * Math.sin((TURN * Math.PI) / 180) + 11 * Math.cos((TURN * Math.PI) / 180) + 16));
  return { turned, bottom, groupWidth };
}

/** A label on two lines, at a parenthesis or after a hyphen: `realloc in place (ch. 4)`, `binary-small`. */
const splitLabel = (group: string): string[] => group.split(/ (?=\()|(?<=-)/).slice(0, 2);

/** How tall a chart is drawn, in its own units: taller when its labels are turned. */
export function chartHeight(chart: BarChart): number {
  return HEIGHT + labelLayout(chart).bottom - BOTTOM;
}

export function renderBarChart(chart: BarChart): string {
  const width = chart.width ?? 720;
  const labels = labelLayout(chart);
  const height = chartHeight(chart);
  const bottom = labels.bottom;
  const plotHeight = height - TOP - bottom;
  const plotWidth = width - LEFT - RIGHT;
  const { max, log } = chart.axis;
  // Linear from 0, or logarithmic from log.min.
  const y =
    log === undefined
      ? (value: number) => TOP + plotHeight - (plotHeight * Math.min(value, max)) / max
      : (value: number) => TOP + plotHeight - (plotHeight * Math.log(Math.min(Math.max(value, log.min), max) / log.min)) / Math.log(max / log.min);
  const base = log?.min ?? 0;
  let svg = openChart(chart.title, chart.desc, width, height, chart.at);

  // The legend, across the top.
  let x = LEFT;
  if (!chart.colorByGroup) chart.series.forEach((name, s) => {
    svg += `<g class="chart-key" data-swatch="bar ${s}"><rect class="chart-s${s}" x="${x}" y="8" width="12" height="12" rx="2"/><text class="chart-legend" x="${x + 17}" y="18">${escapeHtml(name)}</text></g>`;
    x += 17 + 7.2 * name.length + 22;
  });

  // The y axis: grid lines with their values, and the axis label turned on its side.
  const ticks =
    log === undefined
      ? Array.from({ length: chart.axis.ticks + 1 }, (_, t) => (max * t) / chart.axis.ticks)
      : Array.from({ length: Math.round(Math.log10(max / log.min)) + 1 }, (_, t) => log.min * 10 ** t);
  for (const value of ticks) {
    svg += `<line class="chart-grid" x1="${LEFT}" x2="${width - RIGHT}" y1="${y(value)}" y2="${y(value)}"/>`;
    svg += `<text class="chart-tick" x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${escapeHtml(chart.axis.format(value))}</text>`;
  }
  svg += `<text class="chart-axis" transform="translate(14 ${TOP + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(chart.axis.label)}</text>`;

  // The bars, group by group, each with its value on top when it is wide enough to read.
  const groupWidth = plotWidth / chart.groups.length;
  const barWidth = Math.min(46, (groupWidth * 0.8) / chart.series.length);
  const labelled = barWidth >= 30;
  chart.groups.forEach((group, g) => {
    const left = LEFT + g * groupWidth + (groupWidth - barWidth * chart.series.length) / 2;
    chart.series.forEach((name, s) => {
      const value = chart.values[g][s];
      const bx = left + s * barWidth;
      if (value === undefined) {
        svg += `<text class="chart-tick" x="${bx + barWidth / 2}" y="${y(base) - 4}" text-anchor="middle">✗</text>`;
        return;
      }
      if (log !== undefined && value < log.min) {
        // Below a logarithmic axis a bar has no height: say so, or it reads as a run left out.
        svg += `<text class="chart-below" x="${(bx + barWidth / 2 - 1).toFixed(1)}" y="${y(base) - 4}" text-anchor="middle">&lt;${escapeHtml(chart.axis.format(log.min))}<title>${escapeHtml(`${group ? `${group}, ` : ''}${name}: ${chart.axis.format(value)}, below the axis`)}</title></text>`;
        return;
      }
      svg += `<rect class="chart-s${chart.colorByGroup ? g : s}" x="${bx.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(y(base) - y(value)).toFixed(1)}"><title>${escapeHtml(`${group ? `${group}, ` : ''}${name}: ${chart.axis.format(value)}`)}</title></rect>`;
      if (labelled) svg += `<text class="chart-value" x="${(bx + barWidth / 2 - 1).toFixed(1)}" y="${(y(value) - 4).toFixed(1)}" text-anchor="middle">${escapeHtml(chart.axis.format(value))}</text>`;
    });
    // A label too wide for its group goes on two lines (`git-log` fits on one), or is turned.
    const cx = (LEFT + (g + 0.5) * groupWidth).toFixed(1);
    const [first, second] = group.length * LABEL_CHAR_WIDTH > groupWidth * 0.95 ? splitLabel(group) : [group];
    if (group === '') return;
    if (labels.turned) svg += `<text class="chart-tick" transform="translate(${cx} ${height - bottom + 14}) rotate(-${TURN})" text-anchor="end">${escapeHtml(group)}</text>`;
    else svg += `<text class="chart-tick" x="${cx}" y="${height - bottom + 18}" text-anchor="middle">${escapeHtml(first)}${second === undefined ? '' : `<tspan x="${cx}" dy="14">${escapeHtml(second)}</tspan>`}</text>`;
  });
  svg += `<line class="chart-baseline" x1="${LEFT}" x2="${width - RIGHT}" y1="${y(base)}" y2="${y(base)}"/>`;
  svg += '</svg>';
  return svg;
}

export interface LineChart {
  /** What the chart shows, for its accessible name. */
  title: string;
  /** One or two sentences on how it reads, for screen readers. */
  desc: string;
  /** The x axis, from 0 to `max`, with about `ticks` round steps marked (or steps of `step`). */
  x: LineAxis;
  /** The y axis, likewise. */
  y: LineAxis;
  /**
   * The lines, named in the legend: values from x = 0, `step` apart (by default spread over the
   * axis). `color` picks a series colour (by default the line's place); `area` fills below the
   * line, for a quantity the others are measured against.
   */
  lines: { name: string; values: readonly number[]; color?: number; area?: boolean; step?: number }[];
  width?: number;
  at?: { x: number; y: number };
}

export interface LineAxis {
  label: string;
  max: number;
  format: (value: number) => string;
  ticks: number;
  /** The distance between marks, when the round numbers are not decimal ones (256 KiB). */
  step?: number;
}

/** The opening tag of a chart's SVG, its title and its description. */
function openChart(title: string, desc: string, width: number, height: number, at: { x: number; y: number } | undefined): string {
  const placed = at === undefined ? '' : ` x="${at.x}" y="${at.y}" width="${width}" height="${height}"`;
  const least = at === undefined ? ` style="min-width:${Math.round(width * MIN_SCALE)}px"` : '';
  return (
    `<svg class="chart"${placed} viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${title}. ${desc}`)}" xmlns="http://www.w3.org/2000/svg"${least}>` +
    `<title>${escapeHtml(title)}</title><desc>${escapeHtml(desc)}</desc>`
  );
}

/** A line chart's left margin: wider than a bar chart's, for tick labels with a unit (`800 KiB`). */
const LINE_LEFT = 74;

/** The chart colours a line can take (site.css's --chart-0 to --chart-6); past them the colours come round again, dashed. */
const LINE_COLORS = 7;
const LEGEND_ROW = 18;

/** Where each legend entry of a line chart goes: in rows across the top, a new row where one would run past the right edge. */
function lineLegend(chart: LineChart): { at: { x: number; y: number }[]; extra: number } {
  const right = (chart.width ?? 720) - RIGHT;
  let lx = LINE_LEFT;
  let row = 0;
  const at = chart.lines.map((line) => {
    const width = 17 + 7.2 * line.name.length;
    if (lx > LINE_LEFT && lx + width > right) {
      lx = LINE_LEFT;
      row += 1;
    }
    const place = { x: lx, y: row * LEGEND_ROW };
    lx += width + 22;
    return place;
  });
  return { at, extra: row * LEGEND_ROW };
}

/** How tall a line chart is drawn: taller by each extra row its legend takes. */
export function lineChartHeight(chart: LineChart): number {
  return HEIGHT + lineLegend(chart).extra;
}

export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 720;
  const legend = lineLegend(chart);
  const top = TOP + legend.extra;
  const height = HEIGHT + legend.extra;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const plotWidth = width - LINE_LEFT - RIGHT;
  const x = (value: number) => LINE_LEFT + (plotWidth * Math.min(value, chart.x.max)) / chart.x.max;
  const y = (value: number) => top + plotHeight - (plotHeight * Math.min(value, chart.y.max)) / chart.y.max;
  const paint = (line: LineChart['lines'][number], i: number) => {
    const index = line.color ?? i;
    return { color: `var(--chart-${index % LINE_COLORS})`, dash: index >= LINE_COLORS ? ';stroke-dasharray:6 3' : '' };
  };
  let svg = openChart(chart.title, chart.desc, width, height, chart.at);

  // The legend, across the top: a swatch of each line's colour.
  chart.lines.forEach((line, i) => {
    const { color, dash } = paint(line, i);
    const { x: lx, y: ly } = legend.at[i];
    const index = (line.color ?? i) % LINE_COLORS;
    svg += `<g class="chart-key" data-swatch="${line.area ? 'area' : dash ? 'dashed' : 'line'} ${index}">`;
    svg += line.area
      ? `<rect x="${lx}" y="${8 + ly}" width="12" height="12" rx="2" style="fill:${color};fill-opacity:0.35"/>`
      : `<line x1="${lx}" x2="${lx + 12}" y1="${14 + ly}" y2="${14 + ly}" style="stroke:${color};stroke-width:3${dash}"/>`;
    svg += `<text class="chart-legend" x="${lx + 17}" y="${18 + ly}">${escapeHtml(line.name)}</text></g>`;
  });

  // Both axes: grid lines across for y, ticks below for x, and the axes' labels.
  for (const value of axisTicks(chart.y)) {
    svg += `<line class="chart-grid" x1="${LINE_LEFT}" x2="${width - RIGHT}" y1="${y(value)}" y2="${y(value)}"/>`;
    svg += `<text class="chart-tick" x="${LINE_LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${escapeHtml(chart.y.format(value))}</text>`;
  }
  for (const value of axisTicks(chart.x)) {
    svg += `<line class="chart-grid" x1="${x(value)}" x2="${x(value)}" y1="${y(0)}" y2="${y(0) + 4}"/>`;
    svg += `<text class="chart-tick" x="${x(value)}" y="${height - BOTTOM + 16}" text-anchor="${value === 0 ? 'start' : value > 0.97 * chart.x.max ? 'end' : 'middle'}">${escapeHtml(chart.x.format(value))}</text>`;
  }
  svg += `<text class="chart-axis" transform="translate(14 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(chart.y.label)}</text>`;
  svg += `<text class="chart-axis" x="${LINE_LEFT + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(chart.x.label)}</text>`;

  // The lines, areas first so that no line is hidden under one.
  const ordered = chart.lines.map((line, i) => ({ line, ...paint(line, i) })).sort((a, b) => Number(b.line.area ?? false) - Number(a.line.area ?? false));
  for (const { line, color, dash } of ordered) {
    const step = line.step ?? chart.x.max / Math.max(1, line.values.length - 1);
    const points = line.values.map((v, i) => `${x(step * i).toFixed(1)} ${y(v).toFixed(1)}`);
    if (points.length === 0) continue;
    const title = `<title>${escapeHtml(`${line.name}: at most ${chart.y.format(Math.max(...line.values))}`)}</title>`;
    const end = x(step * (line.values.length - 1)).toFixed(1);
    if (line.area) svg += `<path d="M${x(0)} ${y(0)} L${points.join(' L')} L${end} ${y(0)} Z" style="fill:${color};fill-opacity:0.35;stroke:none">${title}</path>`;
    else svg += `<path d="M${points.join(' L')}" style="fill:none;stroke:${color};stroke-width:2;stroke-linejoin:round${dash}">${title}</path>`;
  }
  svg += `<line class="chart-baseline" x1="${LINE_LEFT}" x2="${width - RIGHT}" y1="${y(0)}" y2="${y(0)}"/>`;
  svg += '</svg>';
  return svg;
}

/** 0 and the multiples of the axis's step (a round one by default) up to its top. */
function axisTicks({ max, ticks, step = roundAxis(max, ticks) / ticks }: LineAxis): number[] {
  return Array.from({ length: Math.floor(max / step + 1e-9) + 1 }, (_, i) => i * step);
}

/** A round top for an axis of `ticks` steps that reaches `max`: steps of 1, 2, 2.5 or 5 times a power of ten. */
export function roundAxis(max: number, ticks: number): number {
  if (!(max > 0)) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) as number;
  return step * ticks;
}

/**
 * Charts stacked in one SVG file that stands alone, outside the site: it carries the few
 * styles the charts take from site.css, for a light and a dark background.
 */
export function renderSvgFile(title: string, charts: readonly (BarChart | LineChart)[]): string {
  const width = Math.max(...charts.map((c) => c.width ?? 720));
  const style = [
    'svg { --chart-0: #0969da; --chart-1: #bf5700; --chart-2: #1a7f37; --chart-3: #8250df; --chart-4: #cf222e; --chart-5: #6e7781; --chart-6: #9a6700; --chart-grid: #d8dee4; --bg: #ffffff; --fg: #1f2328; --fg-soft: #57606a; }',
    '@media (prefers-color-scheme: dark) { svg { --chart-0: #58a6ff; --chart-1: #f0883e; --chart-2: #3fb950; --chart-3: #a371f7; --chart-4: #ff7b72; --chart-5: #8b949e; --chart-6: #d29922; --chart-grid: #30363d; --bg: #0d1117; --fg: #e6edf3; --fg-soft: #9da7b3; } }',
    '.chart-background { fill: var(--bg); }',
    '.chart text { font-family: system-ui, sans-serif; font-size: 12px; fill: var(--fg); }',
    '.chart .chart-tick, .chart .chart-value { fill: var(--fg-soft); font-size: 11px; }',
    '.chart .chart-below { fill: var(--fg-soft); font-size: 9px; }',
    '.chart .chart-axis { fill: var(--fg-soft); }',
    '.chart .chart-grid { stroke: var(--chart-grid); } .chart .chart-baseline { stroke: var(--fg-soft); }',
    '.chart .chart-s0 { fill: var(--chart-0); } .chart .chart-s1 { fill: var(--chart-1); } .chart .chart-s2 { fill: var(--chart-2); }',
    '.chart .chart-s3 { fill: var(--chart-3); } .chart .chart-s4 { fill: var(--chart-4); } .chart .chart-s5 { fill: var(--chart-5); } .chart .chart-s6 { fill: var(--chart-6); }',
  ].join('\n');
  const heading = 30; // the title, above the charts
  let height = heading;
  const body = charts
    .map((chart) => {
      const at = { x: 0, y: height };
      const svg = 'lines' in chart ? renderLineChart({ ...chart, at }) : renderBarChart({ ...chart, at });
      height += 'lines' in chart ? lineChartHeight(chart) : chartHeight(chart);
      return svg;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<title>${escapeHtml(title)}</title>
<style>
${style}
</style>
<rect class="chart-background" width="100%" height="100%"/>
<g class="chart"><text x="${LEFT}" y="20" font-weight="bold">${escapeHtml(title)}</text></g>
${body}
</svg>
`;
}

/**
 * The legend of a figure's first chart again (charts drawn together share their series), as
 * HTML that wraps: on a phone, where a chart is drawn smaller than its own size, the SVG's row
 * runs past the edge in letters too small to read (site.css shows one legend or the other).
 * Hidden from screen readers, which have the chart's label and its table.
 */
export function htmlLegend(svgs: string): string {
  const first = svgs.slice(0, svgs.indexOf('</svg>'));
  const keys = [...first.matchAll(/<g class="chart-key" data-swatch="(\w+) (\d+)">[\s\S]*?<text class="chart-legend"[^>]*>([^<]*)<\/text><\/g>/g)];
  if (keys.length === 0) return '';
  const items = keys.map(([, kind, index, name]) => `<li><span class="chart-swatch chart-swatch-${kind}" style="--swatch:var(--chart-${index})"></span>${name}</li>`);
  return `<ul class="chart-keys" aria-hidden="true">${items.join('')}</ul>`;
}

/** The numbers of the chart as a table: what a screen reader reads, and anyone who wants them. */
export function renderTable(caption: string, head: string[], rows: string[][]): string {
  const th = head.map((h, i) => `<th scope="col"${i > 0 ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td class="num">${escapeHtml(cell)}</td>`)).join('')}</tr>`).join('\n');
  return `<details class="chart-numbers"><summary>The numbers</summary>\n<table tabindex="0">\n<caption>${escapeHtml(caption)}</caption>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n</details>`;
}

export const percent = (value: number) => `${Math.round(100 * value)}%`;
