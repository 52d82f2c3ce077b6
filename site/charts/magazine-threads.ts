// Utilization per trace of chapter 5's zone and chapter 6's magazines with the trace's calls
// spread over logical threads, as chapters/examples/06-traces.ts prints it: the price of
// private heaps, drawn.

import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { createAllocator as magazines } from '../../solutions/06-magazines/magazines.ts';
import { runTraces } from '../../workbook/trace/run.ts';
import { THREADS, spread } from '../../chapters/examples/06-spread.ts';
import { renderBarChart, renderTable, percent } from './svg.ts';
import { shippedTraces, traceLabel } from './runs.ts';
import type { Chart } from './index.ts';

/** The three runs of each trace: the zone on every thread, the magazines on one thread, and on every thread. */
const SERIES = [
  { label: `zone, ${THREADS} threads`, create: zones, oneThread: false },
  { label: 'magazines, 1 thread', create: magazines, oneThread: true },
  { label: `magazines, ${THREADS} threads`, create: magazines, oneThread: false },
];

export interface MagazineThreadsData {
  traces: string[];
  /** utilization[trace][series], peak payload ÷ peak footprint; null for a run that failed. */
  utilization: (number | null)[][];
}

export const magazineThreads: Chart<MagazineThreadsData> = {
  measure(root) {
    const traces = shippedTraces(root);
    return {
      traces: traces.map((trace) => traceLabel(trace.name)),
      utilization: traces.map((trace) =>
        SERIES.map(({ create, oneThread }) => {
          const [run] = runTraces([trace], spread(trace, create, oneThread ? () => 0 : undefined), { shrink: false, replay: { timing: false } });
          return run.result.failure === undefined ? run.result.utilization : null;
        }),
      ),
    };
  },
  render(data) {
    const series = SERIES.map((s) => s.label);
    const svg = renderBarChart({
      title: `Utilization per trace of the zone and the magazines, on one thread and on ${THREADS}`,
      desc: `Bars for chapter 5's zone on ${THREADS} threads, and chapter 6's magazines on 1 and on ${THREADS}, over each trace of traces/: peak bytes asked for ÷ peak footprint. Higher is better.`,
      groups: data.traces,
      series,
      values: data.utilization.map((row) => row.map((v) => v ?? undefined)),
      axis: { label: 'utilization', max: 1, format: percent, ticks: 4 },
    });
    const rows = data.traces.map((trace, t) => [trace, ...data.utilization[t].map((v) => (v === null ? 'failed' : percent(v)))]);
    return `${svg}
<figcaption>Utilization (peak payload ÷ peak footprint) of each trace of <code>traces/</code>, its calls spread over logical threads as above, measured when this page was built; <code>npx tsx chapters/examples/06-traces.ts</code> prints the same figures.</figcaption>
${renderTable('Utilization per trace, by allocator and threads', ['trace', ...series], rows)}`;
  },
};
