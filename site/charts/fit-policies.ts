// Utilization per trace of the chapter-3 allocator under first, next and best fit.

import { renderBarChart, renderTable, percent } from './svg.ts';
import { runsOf, traceLabel } from './runs.ts';
import type { Chart } from './index.ts';

const FITS = ['first', 'next', 'best'] as const;

export interface FitPoliciesData {
  traces: string[];
  /** utilization[trace][fit], peak payload ÷ peak heap; null for a run that failed. */
  utilization: (number | null)[][];
}

export const fitPolicies: Chart<FitPoliciesData> = {
  measure(root) {
    const byFit = FITS.map((fit) => runsOf(root, 'coalescing', fit === 'first' ? {} : { fit }));
    return {
      traces: byFit[0].map((run) => traceLabel(run.result.trace)),
      utilization: byFit[0].map((_, t) => byFit.map((runs) => (runs[t].result.failure === undefined ? runs[t].result.utilization : null))),
    };
  },
  render(data) {
    const series = FITS.map((fit) => `${fit} fit`);
    const svg = renderBarChart({
      title: 'Utilization per trace of the chapter 3 allocator, by fit policy',
      desc: 'Bars for first, next and best fit over each trace of traces/: peak bytes asked for ÷ peak heap size. Higher is better.',
      groups: data.traces,
      series,
      values: data.utilization.map((row) => row.map((v) => v ?? undefined)),
      axis: { label: 'utilization', max: 1, format: percent, ticks: 4 },
    });
    const rows = data.traces.map((trace, t) => [trace, ...data.utilization[t].map((v) => (v === null ? 'failed' : percent(v)))]);
    return `${svg}
<figcaption>Utilization (peak payload ÷ peak heap, as <code>npm run trace</code> reports it) of <code>createAllocator(proc, { fit })</code> from <code>solutions/03-coalescing/coalescing.ts</code>, measured over <code>traces/</code> when this page was built.</figcaption>
${renderTable('Utilization per trace and fit policy', ['trace', ...series], rows)}`;
  },
};
