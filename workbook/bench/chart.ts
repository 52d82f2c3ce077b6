// `npm run bench -- --svg <file>`: the summary of a run as an SVG file, drawn with the site's
// chart code: each allocator's average utilization, and its speed over bump's and over
// @thi.ng/malloc's (the geometric mean over the traces, on a logarithmic axis: the ratios span
// a thousandfold).

import { percent, renderSvgFile, type BarChart } from '../../site/charts/svg.ts';
import { BASELINE_ID, type BenchDocument } from './allocators.ts';
import { THING_ID } from './thing.ts';

/** `0.008×`, `1×`, `29×`: two significant digits at most. */
const ratio = (x: number) => `${Number(x.toPrecision(2))}×`;

/** The powers of ten around `values` (1 among them), for a logarithmic axis. */
function decades(values: readonly number[]): { min: number; max: number } {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  return { min: 10 ** Math.min(0, Math.floor(Math.min(...logs))), max: 10 ** Math.max(1, Math.ceil(Math.max(...logs))) };
}

export function benchChart(document: BenchDocument): string {
  const averages = document.averages;
  const groups = averages.map((a) => a.allocator);
  const on = `${document.traces.length} trace${document.traces.length === 1 ? '' : 's'}`;
  const utilization: BarChart = {
    title: `Average utilization of each allocator over ${on}`,
    desc: `${averages.map((a) => `${a.allocator}: ${a.utilization === undefined ? 'no trace passed' : percent(a.utilization)}`).join('; ')}. Higher is better.`,
    groups,
    series: ['average utilization'],
    values: averages.map((a) => [a.utilization]),
    axis: { label: 'average utilization', max: 1, format: percent, ticks: 4 },
  };
  const range = decades(averages.flatMap((a) => [a.vsBump, a.vsThing].filter((x): x is number => x !== undefined)));
  const speed: BarChart = {
    title: `Operations per second of each allocator over ${BASELINE_ID}'s and over ${THING_ID}'s, on ${on}`,
    desc: `${averages.map((a) => `${a.allocator}: ${a.vsBump === undefined ? 'not timed' : ratio(a.vsBump)} ${BASELINE_ID}, ${a.vsThing === undefined ? 'not timed' : ratio(a.vsThing)} ${THING_ID}`).join('; ')}. Higher is faster; the geometric mean of the traces' ratios.`,
    groups,
    series: [`× ${BASELINE_ID}`, `× ${THING_ID}`],
    values: averages.map((a) => [a.vsBump, a.vsThing]),
    axis: { label: 'ops/s ratio (log scale)', max: range.max, format: ratio, ticks: 0, log: { min: range.min } },
  };
  return renderSvgFile(`npm run bench: ${groups.length} allocators on ${on}`, [utilization, speed]);
}
