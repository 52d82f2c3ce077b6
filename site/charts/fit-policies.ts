// Utilization per trace of the chapter-3 allocator under first, next and best fit.

import { renderUtilizationPerTrace, type TraceUtilization } from './utilization-per-trace.ts';
import { runsOf, traceLabel } from './runs.ts';
import type { Chart } from './index.ts';

const FITS = ['first', 'next', 'best'] as const;

/** Utilization[trace][fit], peak payload ÷ peak heap. */
export type FitPoliciesData = TraceUtilization;

export const fitPolicies: Chart<FitPoliciesData> = {
  measure(root) {
    const byFit = FITS.map((fit) => runsOf(root, 'coalescing', fit === 'first' ? {} : { fit }));
    return {
      traces: byFit[0].map((run) => traceLabel(run.result.trace)),
      utilization: byFit[0].map((_, t) => byFit.map((runs) => (runs[t].result.failure === undefined ? runs[t].result.utilization : null))),
    };
  },
  render(data) {
    return renderUtilizationPerTrace({
      title: 'Utilization per trace of the chapter 3 allocator, by fit policy',
      desc: 'Bars for first, next and best fit over each trace of traces/: peak bytes asked for ÷ peak heap size. Higher is better.',
      traces: data.traces,
      series: FITS.map((fit) => `${fit} fit`),
      utilization: data.utilization,
      caption:
        'Utilization (peak payload ÷ peak heap, as <code>npm run trace</code> reports it) of <code>createAllocator(proc, { fit })</code> from <code>solutions/03-coalescing/coalescing.ts</code>, measured over <code>traces/</code> when this page was built.',
      tableCaption: 'Utilization per trace and fit policy',
    });
  },
};
