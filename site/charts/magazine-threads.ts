// Utilization per trace of chapter 5's zone and chapter 6's magazines with the trace's calls
// spread over logical threads, as chapters/examples/06-traces.ts prints it: the price of
// private heaps, drawn.

import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { createAllocator as magazines } from '../../solutions/06-magazines/magazines.ts';
import { runTraces } from '../../workbook/trace/run.ts';
import { THREADS, spread } from '../../chapters/examples/06-spread.ts';
import { renderUtilizationPerTrace, type TraceUtilization } from './utilization-per-trace.ts';
import { shippedTraces, traceLabel } from './runs.ts';
import type { Chart } from './index.ts';

/** The three runs of each trace: the zone on every thread, the magazines on one thread, and on every thread. */
const SERIES = [
  { label: `zone, ${THREADS} threads`, create: zones, oneThread: false },
  { label: 'magazines, 1 thread', create: magazines, oneThread: true },
  { label: `magazines, ${THREADS} threads`, create: magazines, oneThread: false },
];

/** Utilization[trace][series], peak payload ÷ peak footprint. */
export type MagazineThreadsData = TraceUtilization;

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
    return renderUtilizationPerTrace({
      title: `Utilization per trace of the zone and the magazines, on one thread and on ${THREADS}`,
      desc: `Bars for chapter 5's zone on ${THREADS} threads, and chapter 6's magazines on 1 and on ${THREADS}, over each trace of traces/: peak bytes asked for ÷ peak footprint. Higher is better.`,
      traces: data.traces,
      series: SERIES.map((s) => s.label),
      utilization: data.utilization,
      caption:
        'Utilization (peak payload ÷ peak footprint) of each trace of <code>traces/</code>, its calls spread over logical threads as above, measured when this page was built; <code>npx tsx chapters/examples/06-traces.ts</code> prints the same figures.',
      tableCaption: 'Utilization per trace, by allocator and threads',
    });
  },
};
