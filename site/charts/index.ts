// `<!-- chart: NAME -->` in a chapter draws the chart NAME here at build time, from numbers
// measured by running the solutions over traces/. Measuring takes seconds, so the numbers are
// kept in site/dist/.cache under a hash of everything they depend on; a build without changes
// there measures nothing.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SHIPPED_RECORDINGS } from '../../workbook/record/shipped.ts';
import type { RenderEnv } from '../markdown.ts';
import { allocators } from './allocators.ts';
import { fitPolicies } from './fit-policies.ts';
import { magazineThreads } from './magazine-threads.ts';
import { recorded } from './recorded.ts';
import { htmlLegend } from './svg.ts';
import { fitTimeline, zonesTimeline } from './replay-timelines.ts';
import { unixLineEnds } from '../../workbook/text.ts';

const CHARTS_DIR = dirname(fileURLToPath(import.meta.url));
const PROJECT = join(CHARTS_DIR, '..', '..');

/** A chart: what it measures (JSON, deterministic) and how it draws it (a figure's inside). */
export interface Chart<T> {
  measure(root: string): T;
  render(data: T): string;
}

export const CHARTS: Record<string, Chart<never>> = {
  'fit-policies': fitPolicies as Chart<never>,
  'fit-timeline': fitTimeline as Chart<never>,
  allocators: allocators as Chart<never>,
  recorded: recorded as Chart<never>,
  'zones-timeline': zonesTimeline as Chart<never>,
  'magazine-threads': magazineThreads as Chart<never>,
};

/**
 * What the numbers depend on: the allocators, the traces, the machine that counts, the driver,
 * the recordings chapter 8 replays, how chapter 6's example spreads calls over threads, the charts.
 */
const INPUTS = ['solutions', 'traces', 'machine', 'workbook/trace', 'workbook/record/shipped.ts', 'chapters/examples/06-spread.ts'];

/** Where measured numbers are kept between builds. */
export const cacheDir = (root: string) => join(root, 'site', 'dist', '.cache');

export interface ChartStats {
  /** Charts measured by this build (not found in the cache), and how long it took. */
  measured: string[];
  measureMs: number;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    // Hidden files are the system's or an editor's (.DS_Store, .bump.ts.swp): no chart reads them.
    .filter((f) => !f.includes('node_modules') && !/\.test\.ts$/.test(f) && !/(^|[\\/])\./.test(f))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** A program the reader recorded beside the shipped ones (npm run record): no chart reads it. */
const readersRecording = (name: string) => /^traces\/recorded\/[^/]+\.rep$/.test(name) && !(SHIPPED_RECORDINGS as readonly string[]).includes(basename(name));

export function inputsHash(root: string): string {
  const hash = createHash('sha256');
  const inputs = INPUTS.flatMap((d) => filesUnder(join(root, d)).map((f) => [relative(root, f).split(sep).join('/'), f])).filter(([name]) => !readersRecording(name));
  const files = [...inputs, ...filesUnder(CHARTS_DIR).map((f) => [`site/charts/${relative(CHARTS_DIR, f)}`, f])];
  for (const [name, file] of files) hash.update(`${name}\0`).update(unixLineEnds(readFileSync(file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The numbers measured for the book as it ships, so that a fresh clone builds it without a
 * minute of measuring. They hold while the inputs hash to what they were measured for;
 * `npx tsx workbook/cli.ts markers --update` measures them again, and `npm test` says when to.
 */
export const shippedChartsFile = (root: string) => join(root, 'site', 'measured-charts.json');

interface ShippedCharts {
  /** inputsHash of the files the numbers were measured from. */
  inputs: string;
  charts: Record<string, unknown>;
}

/** The shipped numbers; undefined when there are none, or the file is not them (a merge's markers, a hand's edit): those are measured again. */
export function readShippedCharts(root: string): ShippedCharts | undefined {
  const file = shippedChartsFile(root);
  if (!existsSync(file)) return undefined;
  let shipped: unknown;
  try {
    shipped = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const { inputs, charts } = (typeof shipped === 'object' && shipped !== null ? shipped : {}) as Partial<ShippedCharts>;
  const isRecord = typeof charts === 'object' && charts !== null && !Array.isArray(charts);
  return typeof inputs === 'string' && isRecord ? { inputs, charts } : undefined;
}

/** Measures every chart (or takes the numbers still current) and ships them; true if they changed. */
export function writeShippedCharts(root: string, stats: ChartStats): boolean {
  const inputs = inputsHash(root);
  const charts = chartData(root, Object.keys(CHARTS).sort(), stats);
  // A chart a line, so that a change of numbers reads as a change of that chart.
  const lines = Object.keys(CHARTS).sort().map((name) => `    ${JSON.stringify(name)}: ${JSON.stringify(charts[name])}`);
  const text = `{\n  "inputs": ${JSON.stringify(inputs)},\n  "charts": {\n${lines.join(',\n')}\n  }\n}\n`;
  const file = shippedChartsFile(root);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}

/** Whether a build must measure charts first (a minute or so): neither the shipped numbers nor an earlier build's hold. */
export function chartsNeedMeasuring(root: string): boolean {
  const key = inputsHash(root);
  return readShippedCharts(root)?.inputs !== key && !existsSync(join(cacheDir(root), `charts-${key}.json`));
}

/** The measured numbers of `names`: shipped, cached by an earlier build, or measured now (in a fresh process, so edited solutions are read anew). */
export function chartData(root: string, names: string[], stats: ChartStats): Record<string, unknown> {
  const key = inputsHash(root);
  const file = join(cacheDir(root), `charts-${key}.json`);
  const shipped = readShippedCharts(root);
  const cached: Record<string, unknown> = { ...(shipped?.inputs === key ? shipped.charts : {}), ...(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) };
  const missing = [...new Set(names)].filter((n) => !(n in cached));
  if (missing.length > 0) {
    const start = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(CHARTS_DIR, 'measure.ts'), root, ...missing], { cwd: PROJECT, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (child.status !== 0) {
      const why = child.stderr || child.error?.message || (child.signal !== null ? `it was stopped by ${child.signal}` : `it exited with ${child.status}`);
      throw new Error(`Measuring the charts ${missing.join(', ')} failed:\n${why}`);
    }
    Object.assign(cached, JSON.parse(child.stdout));
    stats.measured.push(...missing);
    stats.measureMs += performance.now() - start;
    mkdirSync(cacheDir(root), { recursive: true });
    const temp = `${file}.${process.pid}`;
    writeFileSync(temp, JSON.stringify(cached));
    renameSync(temp, file);
    // Numbers of older inputs will not be asked for again.
    for (const old of readdirSync(cacheDir(root))) if (/^charts-[0-9a-f]+\.json$/.test(old) && join(cacheDir(root), old) !== file) rmSync(join(cacheDir(root), old), { force: true });
  }
  return cached;
}

/** Puts each chart of the page where its marker was; an unknown name is a problem at the marker's line. */
export function renderCharts(html: string, env: RenderEnv, problems: string[], root: string, stats: ChartStats): string {
  if (env.charts.length === 0) return html;
  const known = env.charts.filter((c) => {
    if (CHARTS[c.name] !== undefined) return true;
    problems.push(`${c.where}: there is no chart '${c.name}' (there are ${Object.keys(CHARTS).join(', ')}; each is a module of site/charts/)`);
    return false;
  });
  const data = known.length === 0 ? {} : chartData(root, known.map((c) => c.name), stats);
  return html.replace(/<!--chart:(\d+)-->/g, (_, index: string) => {
    const { name } = env.charts[Number(index)];
    if (CHARTS[name] === undefined) return '';
    return `<figure class="chart-figure" data-chart="${name}">\n${scrollable(CHARTS[name].render(data[name] as never))}\n</figure>\n`;
  });
}

/**
 * The pictures of a chart (all before its caption) in a box that scrolls sideways on a narrow
 * screen, where the charts keep a least width to stay legible; reachable from the keyboard.
 */
function scrollable(figure: string): string {
  const caption = figure.indexOf('<figcaption');
  if (caption <= 0) return figure;
  const pictures = figure.slice(0, caption).replace(/\s+$/, '');
  return `${htmlLegend(pictures)}<div class="chart-scroll" tabindex="0" role="group" aria-label="The chart (on a narrow screen, scroll it sideways)">${pictures}</div>\n${figure.slice(caption)}`;
}
