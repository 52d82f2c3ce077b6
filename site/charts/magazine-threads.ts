// Utilization per trace of chapter 5's zone and chapter 6's magazines with the trace's calls
// spread over logical threads, as chapters/examples/06-traces.ts prints it: the price of
// private heaps, drawn.

import { THREADS, THREAD_RUNS, runOnThreads } from '../../chapters/examples/06-spread.ts';
import { renderUtilizationPerTrace, type TraceUtilization } from './utilization-per-trace.ts';
import { shippedTraces, traceLabel } from './runs.ts';
import type { Chart } from './index.ts';

/** Utilization[trace][run], peak payload ÷ peak footprint. */
export type MagazineThreadsData = TraceUtilization;

export const magazineThreads: Chart<MagazineThreadsData> = {
  measure(root) {
    const traces = shippedTraces(root);
    return {
      traces: traces.map((trace) => traceLabel(trace.name)),
      utilization: traces.map((trace) =>
        THREAD_RUNS.map((how) => {
          const { result } = runOnThreads(trace, how);
          return result.failure === undefined ? result.utilization : null;
        }),
      ),
    };
  },
  render(data) {
    return renderUtilizationPerTrace({
      title: `Utilization per trace of the zone and the magazines, on one thread and on ${THREADS}`,
      desc: `Bars for chapter 5's zone on ${THREADS} threads, and chapter 6's magazines on 1 and on ${THREADS}, over each trace of traces/: peak bytes asked for ÷ peak footprint. Higher is better.`,
      traces: data.traces,
      series: THREAD_RUNS.map((how) => how.label),
      utilization: data.utilization,
      caption:
        'Utilization (peak payload ÷ peak footprint) of <code>solutions/05-zones/zone.ts</code> and <code>solutions/06-magazines/magazines.ts</code> on each trace of <code>traces/</code>, its calls spread over logical threads as above, measured when this page was built; <code>npx tsx chapters/examples/06-traces.ts</code> prints the same figures.',
      tableCaption: 'Utilization per trace, by allocator and threads',
    });
  },
};
